/*
 * instance - one configured plugin instance (the SDK's opaque oh_instance).
 */
#ifndef OH_INSTANCE_H
#define OH_INSTANCE_H

#include "config/config_file.h"
#include "loader/loader.h"
#include "settings/settings.h"

struct oh_instance {
    char *id;                 /* owned; unique within a generation */
    const ldr_module *module; /* borrowed from the registry (lives for the process) */
    oh_settings *settings;    /* owned */
    void *state;              /* the plugin's, from init; freed by its destroy */
    int initialised;          /* init succeeded: destroy is due */
    cfg_where where;          /* where the file declares it (borrowed strings) */
    cfg_limits limits;        /* how the executor treats its requests */
};

#endif
