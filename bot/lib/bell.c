#include "bot/lib/bell.h"

#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

int bell_init(struct bell *b)
{
    b->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return b->fd < 0 ? -1 : 0;
}

void bell_close(struct bell *b)
{
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
}

void bell_ring(struct bell *b)
{
    uint64_t one = 1;
    int saved = errno; /* a signal handler must leave errno as it was */
    if (b->fd >= 0 && write(b->fd, &one, sizeof one) < 0) {
        /* the counter is full: it rings already */
    }
    errno = saved;
}

int bell_wait(struct bell *b, int64_t timeout_ms)
{
    struct pollfd p = {.fd = b->fd, .events = POLLIN};
    int ms = timeout_ms < 0 ? -1 : timeout_ms > 3600000 ? 3600000 : (int)timeout_ms;
    int n = poll(&p, 1, ms);
    if (n <= 0)
        return 0; /* timed out, or a signal: the caller looks again either way */
    uint64_t rings;
    if (read(b->fd, &rings, sizeof rings) < 0)
        return 0;
    return 1;
}
