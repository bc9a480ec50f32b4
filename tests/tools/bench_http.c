/*
 * bench_http: the floor under any Telegram bot written with libcurl: the CPU
 * this process spends on one bare sendMessage on a kept-alive connection (no
 * JSON built or read, nothing stored), median of RUNS runs of N requests.
 * bench_job.py prints it beside the whole job's CPU per complaint: a
 * complaint takes three replies, so three of these are what no sender of its
 * replies can spend less than.
 *
 *   bench_http URL [N] [RUNS]
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "bench.h"

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p, (void)ctx;
    return size * n;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_http URL [N] [RUNS]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 1000, runs = argc > 3 ? atoi(argv[3]) : 3;
    if (n < 1 || runs < 1 || runs > 50) {
        fprintf(stderr, "bench_http: N >= 1, 1 <= RUNS <= 50\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *c = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (!c || !headers)
        return 1;
    curl_easy_setopt(c, CURLOPT_URL, argv[1]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    double each[50];
    char body[160];
    for (int r = 0; r < runs; r++) {
        double start = cpu_seconds();
        for (int i = 0; i < n; i++) {
            snprintf(body, sizeof body, "{\"chat_id\": %d, \"text\": \"Өтінішіңіз тіркелді\"}",
                     9000000 + r * n + i);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
            CURLcode rc = curl_easy_perform(c);
            if (rc != CURLE_OK) {
                fprintf(stderr, "bench_http: %s\n", curl_easy_strerror(rc));
                return 1;
            }
        }
        each[r] = (cpu_seconds() - start) * 1e3 / n;
    }
    qsort(each, (size_t)runs, sizeof *each, cmp_double);
    printf("%.4f\n", each[runs / 2]); /* ms of CPU a request */
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    curl_global_cleanup();
    return 0;
}
