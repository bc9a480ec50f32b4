/*
 * service: telling a service manager (systemd, Type=notify) how the daemon is,
 * by its notification protocol: a datagram to the socket NOTIFY_SOCKET names.
 *
 *   service_notify("READY=1")     the daemon serves (after its listener and threads start)
 *   service_notify("STOPPING=1")  it is stopping
 *   service_watchdog()            "WATCHDOG=1" when half of WATCHDOG_USEC has passed since
 *                                 the last one; systemd restarts a daemon that stops sending
 *                                 it (WatchdogSec= in the unit)
 * Without NOTIFY_SOCKET (a shell, a container) each is a no-op.
 */
#ifndef TYNDAU_SERVICE_H
#define TYNDAU_SERVICE_H

#include <stdint.h>

/* 1 sent, 0 no manager listens, -1 it could not be sent. */
int service_notify(const char *state);
/* How often the watchdog wants to hear from us (half its timeout), in ms; 0 when it is off. */
int64_t service_watchdog_ms(void);
/* Sends WATCHDOG=1 if it is time; returns the ms until the next is due (or -1: no watchdog). */
int64_t service_watchdog(void);

#endif
