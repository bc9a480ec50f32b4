/*
 * The configuration file as an operator (or a broken deploy) writes it:
 * parsed by libconfig and checked by tyndau's loader, with the shipped texts
 * next to it, as `tyndau check` and a SIGHUP reload read it.
 */
#include <unistd.h>

#include "bot/domain/config.h"
#include "fuzz.h"

static char dir[64], path[96];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char texts[128];
    snprintf(dir, sizeof dir, "/tmp/tyndau-fuzz-config-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/tyndau.conf", dir);
    snprintf(texts, sizeof texts, "%s/texts", dir);
    if (symlink(FUZZ_TEXTS_DIR, texts) < 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    struct config cfg;
    struct diag d = DIAG_INIT;
    int rc = config_load(&cfg, path, &d);
    if (rc < 0 && d.errors == 0)
        fuzz_fail("a configuration refused without an error");
    if (rc == 0) {
        if (!cfg.ndistricts || !cfg.nbodies)
            fuzz_fail("a configuration accepted without districts or bodies");
        config_free(&cfg);
    }
    diag_release(&d);
    return 0;
}
