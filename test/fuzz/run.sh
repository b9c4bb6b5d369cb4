#!/bin/sh
# run.sh: run libFuzzer harnesses one after the other, each from its committed seeds, and fail on any finding.
# Usage: run.sh BUILD_FUZZ_DIR SECONDS_EACH fresh|keep NAME...
#   keep (make fuzz): the working corpus BUILD_FUZZ_DIR/NAME.corpus grows from run to run;
#   fresh (make test): BUILD_FUZZ_DIR/NAME.quick starts again from the seeds each time.
# A finding's input is BUILD_FUZZ_DIR/NAME-crash-* (or -timeout-, -oom-, -leak-), each run's whole output
# BUILD_FUZZ_DIR/NAME.log: nothing is written into the repository.
set -u
dir=$1 secs=$2 mode=$3
shift 3
seeds=$(dirname "$0")/corpus
fail=""
for name in "$@"; do
	bin=$dir/fuzz_$name corpus=$dir/$name.corpus log=$dir/$name.log
	if [ "$mode" = fresh ]; then
		corpus=$dir/$name.quick
		rm -rf "$corpus"
	fi
	mkdir -p "$corpus"
	[ -d "$seeds/$name" ] && cp "$seeds/$name"/* "$corpus"/ 2>/dev/null
	# -timeout: an input that takes this long is a finding (a hang); -rss_limit_mb: so is a runaway allocation.
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$dir/$name-" "$corpus" >"$log" 2>&1
	rc=$?
	last=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.*\(cov: [0-9]*\).*\(corp: [0-9]*\).*/\1 \2/p')
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	if [ $rc -eq 0 ]; then
		printf 'fuzz %-12s ok: %s runs in %s s, %s exec/s, %s\n' "$name" "${runs:-?}" "$secs" "${rate:-?}" "$last"
	else
		printf 'fuzz %-12s FINDING (exit %d): %s\n' "$name" $rc "$log"
		{ grep -A1 'FUZZ FINDING' "$log"; grep -E 'ERROR: |SUMMARY: |Test unit written to' "$log"; } | head -8
		fail="$fail $name"
	fi
done
if [ -n "$fail" ]; then
	echo "fuzz: findings in:$fail (reproduce: $dir/fuzz_NAME FILE; minimize: add -minimize_crash=1 -runs=10000)"
	exit 1
fi
