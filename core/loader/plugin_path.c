#include "config.h"

#include "plugin_path.h"

#include <stdlib.h>
#include <string.h>

char **ldr_split_path(const char *list, size_t *count)
{
    *count = 0;
    size_t n = 1;
    for (const char *p = list ? list : ""; *p; p++)
        n += *p == ':';
    char **dirs = calloc(n + 1, sizeof(char *));
    char *copy = strdup(list ? list : "");
    if (dirs == NULL || copy == NULL) {
        free(dirs);
        free(copy);
        return NULL;
    }
    char *save = NULL;
    for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
        if ((dirs[*count] = strdup(tok)) == NULL) {
            free(copy);
            ldr_free_path(dirs);
            return NULL;
        }
        (*count)++;
    }
    free(copy);
    return dirs;
}

void ldr_free_path(char **dirs)
{
    for (size_t i = 0; dirs != NULL && dirs[i] != NULL; i++)
        free(dirs[i]);
    free(dirs);
}
