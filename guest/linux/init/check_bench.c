/* check_bench.c: the workloads of `make bench-linux` in place of the checks: /bin/lxbench, run and waited for. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checks.h"
#include "report.h"

#define LXBENCH "/bin/lxbench"

void check_bench(int iters, int idle_s)
{
	char n[16], s[16];
	int status = 0;
	pid_t pid;

	snprintf(n, sizeof(n), "%d", iters);
	snprintf(s, sizeof(s), "%d", idle_s);
	say("running %s all %s %s", LXBENCH, n, s);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl(LXBENCH, LXBENCH, "all", n, s, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	check(status == 0, "lxbench ran every workload", "exit status %#x", (unsigned)status);
}
