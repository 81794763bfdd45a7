// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Shim kthreads: detached pthreads. */
#include <pthread.h>
#include <stdlib.h>

#include <linux/errno.h>
#include <linux/kthread.h>

struct shim_kthread {
	int (*fn)(void *data);
	void *data;
};

static void *shim_kthread_main(void *arg)
{
	struct shim_kthread t = *(struct shim_kthread *)arg;

	free(arg);
	t.fn(t.data);
	return NULL;
}

struct task_struct *shim_kthread_run(int (*fn)(void *data), void *data)
{
	struct shim_kthread *t = malloc(sizeof(*t));
	pthread_attr_t attr;
	pthread_t tid;
	int err;

	if (!t)
		return ERR_PTR(-ENOMEM);
	t->fn = fn;
	t->data = data;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&tid, &attr, shim_kthread_main, t);
	pthread_attr_destroy(&attr);
	if (err) {
		free(t);
		return ERR_PTR(-err);
	}
	/* Callers only test it with IS_ERR(); the thread owns @t now. */
	return (struct task_struct *)&shim_kthread_main;
}
