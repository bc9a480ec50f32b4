/*
 * web_charts: the dashboard's charts page (/web/charts), drawn on the server
 * as SVG, no script: appeals per week by topic; per body and month the share
 * answered in time, the median days to the first answer and the citizens'
 * rating (as handlers/stats.c counts them for /stats and /public/); what is
 * overdue now, by body.  A reader sees the bodies they may see.
 */
#ifndef TYNDAU_WEB_CHARTS_H
#define TYNDAU_WEB_CHARTS_H

#include "bot/pipeline/web_page.h"

void web_charts(struct web_page *pg);

#endif
