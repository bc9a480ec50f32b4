/*
 * channels: the profiles of the channels tyndau speaks (bot/domain/channel.h),
 * each next to its gateway, registered together at start.
 */
#ifndef TYNDAU_CHANNELS_H
#define TYNDAU_CHANNELS_H

/* Registers the console's, Telegram's and SMS's profiles; once, before any thread. */
void channels_register(void);

#endif
