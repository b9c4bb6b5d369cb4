/* check_ipis.c: (b) the IPIs of an SMP kernel reach every CPU: rescheduling, function call, TLB shootdown. */
#include "checks.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

/* Round trips of a token between two CPUs: each wakes a task sleeping on the other CPU. */
#define PINGPONG_ROUNDS 2000
/* Signals to a task running on another CPU: each makes the kernel kick that CPU (kick_process, RES). */
#define SIGNALS 1000
/* Permission drops on a page threads on every CPU use: each needs a TLB shootdown (CAL and TLB). */
#define MPROTECTS 500

static _Noreturn void pingpong_child(int cpu, int in, int out)
{
	char token;

	pin_to(cpu);
	while (read(in, &token, 1) == 1 && write(out, &token, 1) == 1)
		;
	_exit(0);
}

/* A token passed PINGPONG_ROUNDS times between a process on cpu a and one on cpu b. */
static void pingpong(int a, int b)
{
	int to_child[2], to_parent[2];
	char token = 't';
	pid_t pid;

	if (pipe(to_child) < 0 || pipe(to_parent) < 0)
		die("pipe: %m");
	pid = fork();
	if (pid < 0)
		die("fork: %m");
	if (pid == 0) {
		/* Only the parent may hold the write end it closes at the end: that EOF ends the child. */
		close(to_child[1]);
		close(to_parent[0]);
		pingpong_child(b, to_child[0], to_parent[1]);
	}
	pin_to(a);
	for (int i = 0; i < PINGPONG_ROUNDS; i++)
		if (write(to_child[1], &token, 1) != 1 || read(to_parent[0], &token, 1) != 1)
			die("ping-pong between CPU %d and CPU %d broke at round %d", a, b, i);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_child[0]);
	close(to_parent[1]);
	waitpid(pid, NULL, 0);
	pin_to(-1);
}

static void on_usr1(int sig) { (void)sig; }

/* A process spinning in user mode on cpu, sent SIGNALS signals from cpu `from`. */
static void signals(int cpu, int from)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	pid_t pid;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %m");
	if (pid == 0) {
		pin_to(cpu);
		for (;;)
			;
	}
	pin_to(from);
	usleep(20000); /* let the child reach its CPU and spin */
	for (int i = 0; i < SIGNALS; i++)
		kill(pid, SIGUSR1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	pin_to(-1);
}

struct shoot {
	volatile char *page;
	int ncpus;
	atomic_int started, done;
};

struct shooter_arg {
	struct shoot *s;
	int cpu;
};

/*
 * One thread per CPU: it drops and restores write access to the page all of them
 * keep reading. Only reads: a write would fault while another thread has the
 * page read-only. Dropping a permission flushes the TLB of every other CPU that
 * runs the address space (SDM Vol. 3, 4.10.5: software keeps TLBs coherent).
 */
static void *shooter(void *arg)
{
	struct shoot *s = ((struct shooter_arg *)arg)->s;
	int cpu = ((struct shooter_arg *)arg)->cpu;

	pin_to(cpu);
	atomic_fetch_add(&s->started, 1);
	while (atomic_load(&s->started) < s->ncpus)
		;
	for (int i = 0; i < MPROTECTS; i++) {
		(void)s->page[cpu];
		mprotect((void *)s->page, 4096, PROT_READ);
		mprotect((void *)s->page, 4096, PROT_READ | PROT_WRITE);
	}
	atomic_fetch_add(&s->done, 1);
	/* Stay on the CPU, in this address space, until every thread is done: the others' flushes reach it. */
	while (atomic_load(&s->done) < s->ncpus)
		(void)s->page[0];
	return NULL;
}

static void shootdowns(int ncpus)
{
	struct shoot s = {.ncpus = ncpus};
	pthread_t t[MAX_CPUS];
	struct shooter_arg arg[MAX_CPUS];

	s.page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s.page == MAP_FAILED)
		die("mmap: %m");
	s.page[0] = 1; /* present and dirty: each permission drop then changes a PTE */
	for (int c = 0; c < ncpus; c++) {
		arg[c] = (struct shooter_arg){&s, c};
		if (pthread_create(&t[c], NULL, shooter, &arg[c]) != 0)
			die("pthread_create failed");
	}
	for (int c = 0; c < ncpus; c++)
		pthread_join(t[c], NULL);
	munmap((void *)s.page, 4096);
}

static void snapshot(uint64_t out[3][MAX_CPUS])
{
	static const char *const rows[3] = {"RES", "CAL", "TLB"};

	for (int r = 0; r < 3; r++)
		if (irq_counts(rows[r], out[r]) < 0)
			die("no %s line in /proc/interrupts", rows[r]);
}

void check_ipis(int ncpus)
{
	static const char *const what[3] = {
	        "rescheduling interrupts (RES) on every CPU during ping-pong and signals across CPUs",
	        "function-call interrupts (CAL) on every CPU during ping-pong and TLB shootdowns",
	        "TLB shootdowns (TLB) on every CPU during mprotect by threads on every CPU",
	};
	uint64_t before[3][MAX_CPUS], after[3][MAX_CPUS];
	char line[1024];

	if (ncpus < 2) {
		say("one CPU: no IPI checks");
		return;
	}
	snapshot(before);
	for (int c = 0; c < ncpus; c++) {
		pingpong(c, (c + 1) % ncpus);
		signals(c, (c + 1) % ncpus);
	}
	shootdowns(ncpus);
	snapshot(after);
	for (int r = 0; r < 3; r++)
		check(grew(before[r], after[r], ncpus, 1, line, sizeof(line)), what[r], "%s", line);
}
