/*
 * bell: wakes a sleeping thread when there is work for it.
 *
 * A thread that has nothing to do sleeps on its bell until the time of its
 * next known work (a retry, a deadline stage) or until someone rings it: a
 * commit that queued messages, a signal.  Ringing is async-signal-safe (an
 * eventfd write), so a signal handler may ring it too.  Rings while nobody
 * waits are kept: the next wait returns at once, so no ring between a
 * thread's last look at the store and its sleep is lost.
 */
#ifndef TYNDAU_BELL_H
#define TYNDAU_BELL_H

#include <stdint.h>

struct bell {
    int fd;
};

/* 0, or -1 with errno set. */
int bell_init(struct bell *b);
void bell_close(struct bell *b);
void bell_ring(struct bell *b);
/* Sleeps up to timeout_ms (-1: until rung).  1 when rung (the rings are taken), 0 when timed out.
 */
int bell_wait(struct bell *b, int64_t timeout_ms);

#endif
