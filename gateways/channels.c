#include "gateways/channels.h"

#include "bot/domain/channel.h"
#include "gateways/console.h"
#include "gateways/sms.h"
#include "gateways/telegram.h"

void channels_register(void)
{
    channel_register(&console_profile);
    channel_register(&telegram_profile);
    channel_register(&sms_profile);
}
