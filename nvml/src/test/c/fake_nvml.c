/*
 * A fake libnvidia-ml for Tangram's tests: exports the NVML functions NvmlGpuProbe binds, with nvml.h's struct layouts,
 * and answers from a node description in a small line format that the test writes (see FakeNvmlDescription.java):
 *
 *   driver <version>
 *   cuda <int, e.g. 12040>
 *   gpu <idx> <minor> <arch> <ccMajor> <ccMinor> <memBytes> <usedBytes> <numa> <migCapable> <migEnabled> <util> <memUtil>
 *       <tempC> <powerMw> <eccCorrected> <eccUncorrected> <busId> <uuid> <name to end of line>
 *   link <gpu> <active 0/1> <remoteType> <remoteBusId>
 *   topo <i> <j> <level>
 *   giprofile <gpu> <profileIndex> <profileId> <slices> <memMB> <placementSize>
 *   mig <gpu> <gi> <ci> <profileId> <start> <size> <memBytes> <uuid>
 *   lost <gpu>
 *
 * Test-only controls: fakeNvmlLoad(path), fakeNvmlSetInitResult(code), fakeNvmlInjectXid(gpu, xid), fakeNvmlSetLost(gpu, lost).
 * Build: gcc -shared -fPIC -O1 -o libnvidia-ml.so.1 fake_nvml.c -lpthread
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>

typedef int nvmlReturn_t;
#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_NOT_FOUND 6
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_TIMEOUT 10
#define NVML_ERROR_GPU_IS_LOST 15
#define NVML_ERROR_IN_USE 19
#define NVML_ERROR_INSUFFICIENT_RESOURCES 23
#define NVML_ERROR_UNKNOWN 999

#define MAX_GPUS 16
#define MAX_LINKS 18
#define MAX_MIG 7
#define MAX_PROFILES 16
#define MAX_EVENTS 64
#define XID_EVENT 0x8ULL

enum { KIND_GPU = 0x47505521, KIND_MIG = 0x4d494721, KIND_GI = 0x47492121, KIND_CI = 0x43492121, KIND_SET = 0x53455421 };

typedef struct { char busIdLegacy[16]; unsigned int domain, bus, device, pciDeviceId, pciSubSystemId; char busId[32]; } nvmlPciInfo_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct { void *device; unsigned long long eventType, eventData; unsigned int gpuInstanceId, computeInstanceId; } nvmlEventData_t;
typedef struct { unsigned int start, size; } nvmlGpuInstancePlacement_t;
typedef struct { void *device; unsigned int id, profileId; nvmlGpuInstancePlacement_t placement; } nvmlGpuInstanceInfo_t;
typedef struct { unsigned int id, isP2pSupported, sliceCount, instanceCount, multiprocessorCount, copyEngineCount, decoderCount,
                 encoderCount, jpegCount, ofaCount; unsigned long long memorySizeMB; } nvmlGpuInstanceProfileInfo_t;
typedef struct { unsigned int id, sliceCount, instanceCount, multiprocessorCount, sharedCopyEngineCount, sharedDecoderCount,
                 sharedEncoderCount, sharedJpegCount, sharedOfaCount; } nvmlComputeInstanceProfileInfo_t;

struct tag { int kind; };
struct fake_mig {
    struct tag self, gi_tag, ci_tag;
    int used, gpu, gi, ci, profileId, start, size;
    unsigned long long memBytes;
    char uuid[96];
};
struct fake_link { int active, type; char busId[32]; };
struct fake_profile { int used, id, slices, placementSize; unsigned long long memMB; };
struct fake_gpu {
    struct tag self;
    int index, minor, arch, ccMajor, ccMinor, numa, migCapable, migEnabled, util, memUtil, temp, powerMw, lost;
    long long eccCorrected, eccUncorrected;
    unsigned long long memBytes, usedBytes;
    char busId[32], uuid[96], name[96];
    int nlinks;
    struct fake_link links[MAX_LINKS];
    int topo[MAX_GPUS];
    struct fake_profile profiles[MAX_PROFILES];
    struct fake_mig migs[MAX_MIG];
    int registered;
};
struct fake_event { int gpu; unsigned long long type, data; int lostSignal; };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct fake_gpu gpus[MAX_GPUS];
static int ngpus;
static char driver[80] = "0.0";
static int cuda;
static int initResult = NVML_SUCCESS;
static int initCount;
static struct fake_event events[MAX_EVENTS];
static int nevents;
static struct tag eventSet = { KIND_SET };
static unsigned int createdMigs;

/* ---------- test controls ---------- */

int fakeNvmlLoad(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    pthread_mutex_lock(&mu);
    memset(gpus, 0, sizeof gpus);
    ngpus = 0;
    nevents = 0;
    initResult = NVML_SUCCESS;
    createdMigs = 0;
    char line[1024];
    int ok = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        int g, n;
        if (sscanf(line, "driver %79s", driver) == 1) continue;
        if (sscanf(line, "cuda %d", &cuda) == 1) continue;
        if (strncmp(line, "gpu ", 4) == 0) {
            if (ngpus >= MAX_GPUS) { ok = -2; break; }
            struct fake_gpu *p = &gpus[ngpus];
            n = 0;
            if (sscanf(line, "gpu %d %d %d %d %d %llu %llu %d %d %d %d %d %d %d %lld %lld %31s %95s %n", &p->index, &p->minor, &p->arch,
                       &p->ccMajor, &p->ccMinor, &p->memBytes, &p->usedBytes, &p->numa, &p->migCapable, &p->migEnabled, &p->util,
                       &p->memUtil, &p->temp, &p->powerMw, &p->eccCorrected, &p->eccUncorrected, p->busId, p->uuid, &n) < 18
                || n == 0) { ok = -3; break; }
            snprintf(p->name, sizeof p->name, "%s", line + n);
            p->self.kind = KIND_GPU;
            for (int m = 0; m < MAX_MIG; m++) {
                p->migs[m].self.kind = KIND_MIG; p->migs[m].gi_tag.kind = KIND_GI; p->migs[m].ci_tag.kind = KIND_CI;
                p->migs[m].gpu = ngpus;
            }
            ngpus++;
            continue;
        }
        if (strncmp(line, "link ", 5) == 0) {
            struct fake_link l;
            if (sscanf(line, "link %d %d %d %31s", &g, &l.active, &l.type, l.busId) != 4 || g < 0 || g >= ngpus
                || gpus[g].nlinks >= MAX_LINKS) { ok = -4; break; }
            gpus[g].links[gpus[g].nlinks++] = l;
            continue;
        }
        if (strncmp(line, "topo ", 5) == 0) {
            int j, level;
            if (sscanf(line, "topo %d %d %d", &g, &j, &level) != 3 || g < 0 || g >= ngpus || j < 0 || j >= MAX_GPUS) { ok = -5; break; }
            gpus[g].topo[j] = level;
            continue;
        }
        if (strncmp(line, "giprofile ", 10) == 0) {
            int idx; struct fake_profile pr = { .used = 1 };
            if (sscanf(line, "giprofile %d %d %d %d %llu %d", &g, &idx, &pr.id, &pr.slices, &pr.memMB, &pr.placementSize) != 6
                || g < 0 || g >= ngpus || idx < 0 || idx >= MAX_PROFILES) { ok = -6; break; }
            gpus[g].profiles[idx] = pr;
            continue;
        }
        if (strncmp(line, "mig ", 4) == 0) {
            struct fake_mig tmp;
            if (sscanf(line, "mig %d %d %d %d %d %d %llu %95s", &g, &tmp.gi, &tmp.ci, &tmp.profileId, &tmp.start, &tmp.size,
                       &tmp.memBytes, tmp.uuid) != 8 || g < 0 || g >= ngpus) { ok = -7; break; }
            int slot = -1;
            for (int m = 0; m < MAX_MIG; m++) if (!gpus[g].migs[m].used) { slot = m; break; }
            if (slot < 0) { ok = -8; break; }
            struct fake_mig *m = &gpus[g].migs[slot];
            m->used = 1; m->gi = tmp.gi; m->ci = tmp.ci; m->profileId = tmp.profileId; m->start = tmp.start; m->size = tmp.size;
            m->memBytes = tmp.memBytes; memcpy(m->uuid, tmp.uuid, sizeof m->uuid);
            continue;
        }
        if (sscanf(line, "lost %d", &g) == 1 && g >= 0 && g < ngpus) { gpus[g].lost = 1; continue; }
        if (line[0] == 0 || line[0] == '#') continue;
        ok = -9;
        break;
    }
    pthread_mutex_unlock(&mu);
    fclose(f);
    return ok;
}

void fakeNvmlSetInitResult(int code) { pthread_mutex_lock(&mu); initResult = code; pthread_mutex_unlock(&mu); }

static void push_event(struct fake_event e) {
    if (nevents < MAX_EVENTS) events[nevents++] = e;
    pthread_cond_broadcast(&cv);
}

int fakeNvmlInjectXid(int gpu, int xid) {
    pthread_mutex_lock(&mu);
    int rc = -1;
    if (gpu >= 0 && gpu < ngpus) { push_event((struct fake_event){ gpu, XID_EVENT, (unsigned long long) xid, 0 }); rc = 0; }
    pthread_mutex_unlock(&mu);
    return rc;
}

/* Marks a GPU lost (or back); losing it also wakes an event wait with NVML_ERROR_GPU_IS_LOST, as the driver does. */
int fakeNvmlSetLost(int gpu, int lost) {
    pthread_mutex_lock(&mu);
    int rc = -1;
    if (gpu >= 0 && gpu < ngpus) {
        gpus[gpu].lost = lost;
        if (lost) push_event((struct fake_event){ gpu, 0, 0, 1 });
        rc = 0;
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

/* ---------- handle checks ---------- */

static struct fake_gpu *gpu_of(void *h) {
    for (int i = 0; i < ngpus; i++) if (h == &gpus[i]) return &gpus[i];
    return NULL;
}
static struct fake_mig *mig_of(void *h) {
    for (int i = 0; i < ngpus; i++) for (int m = 0; m < MAX_MIG; m++) if (h == &gpus[i].migs[m] && gpus[i].migs[m].used) return &gpus[i].migs[m];
    return NULL;
}
static struct fake_mig *gi_of(void *h) {
    for (int i = 0; i < ngpus; i++) for (int m = 0; m < MAX_MIG; m++) if (h == &gpus[i].migs[m].gi_tag && gpus[i].migs[m].used) return &gpus[i].migs[m];
    return NULL;
}
static struct fake_mig *ci_of(void *h) {
    for (int i = 0; i < ngpus; i++) for (int m = 0; m < MAX_MIG; m++) if (h == &gpus[i].migs[m].ci_tag && gpus[i].migs[m].used && gpus[i].migs[m].ci >= 0) return &gpus[i].migs[m];
    return NULL;
}

#define BEGIN pthread_mutex_lock(&mu); nvmlReturn_t rc = NVML_SUCCESS; if (initCount == 0) { rc = NVML_ERROR_UNINITIALIZED; goto out; }
#define END out: pthread_mutex_unlock(&mu); return rc;
#define FAIL(code) do { rc = (code); goto out; } while (0)
#define GPU(h) struct fake_gpu *g = gpu_of(h); if (!g) FAIL(NVML_ERROR_INVALID_ARGUMENT);
#define LIVE(g) if ((g)->lost) FAIL(NVML_ERROR_GPU_IS_LOST);
#define NONNULL(p) if (!(p)) FAIL(NVML_ERROR_INVALID_ARGUMENT);

/* ---------- NVML ---------- */

nvmlReturn_t nvmlInit_v2(void) {
    pthread_mutex_lock(&mu);
    nvmlReturn_t rc = initResult;
    if (rc == NVML_SUCCESS) initCount++;
    pthread_mutex_unlock(&mu);
    return rc;
}

nvmlReturn_t nvmlShutdown(void) {
    pthread_mutex_lock(&mu);
    nvmlReturn_t rc = initCount > 0 ? NVML_SUCCESS : NVML_ERROR_UNINITIALIZED;
    if (initCount > 0) initCount--;
    pthread_mutex_unlock(&mu);
    return rc;
}

const char *nvmlErrorString(nvmlReturn_t r) { return r == NVML_SUCCESS ? "Success" : "Fake NVML error"; }

static nvmlReturn_t copy_string(char *dst, unsigned int length, const char *src) {
    if (!dst) return NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(src) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
    memcpy(dst, src, strlen(src) + 1);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) { BEGIN rc = copy_string(version, length, driver); END }
nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *v) { BEGIN NONNULL(v) *v = cuda; END }
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *n) { BEGIN NONNULL(n) *n = (unsigned int) ngpus; END }
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int i, void **h) {
    BEGIN NONNULL(h) if (i >= (unsigned int) ngpus) FAIL(NVML_ERROR_INVALID_ARGUMENT); *h = &gpus[i]; END
}

/* Static identity stays readable on a lost GPU: the driver keeps it. */
nvmlReturn_t nvmlDeviceGetUUID(void *h, char *uuid, unsigned int length) {
    BEGIN
    struct fake_gpu *g = gpu_of(h);
    struct fake_mig *m = g ? NULL : mig_of(h);
    if (!g && !m) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    if (m && gpus[m->gpu].lost) FAIL(NVML_ERROR_GPU_IS_LOST);
    rc = copy_string(uuid, length, g ? g->uuid : m->uuid);
    END
}
nvmlReturn_t nvmlDeviceGetName(void *h, char *name, unsigned int length) { BEGIN GPU(h) rc = copy_string(name, length, g->name); END }
nvmlReturn_t nvmlDeviceGetMinorNumber(void *h, unsigned int *v) { BEGIN GPU(h) NONNULL(v) *v = (unsigned int) g->minor; END }

static void fill_pci(nvmlPciInfo_t *p, const char *busId) {
    memset(p, 0, sizeof *p);
    snprintf(p->busId, sizeof p->busId, "%s", busId);
    unsigned int fn = 0;
    sscanf(busId, "%x:%x:%x.%x", &p->domain, &p->bus, &p->device, &fn);
    snprintf(p->busIdLegacy, sizeof p->busIdLegacy, "%04x:%02x:%02x.%x", p->domain & 0xffff, p->bus, p->device, fn);
    p->pciDeviceId = 0x20b010de;
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(void *h, nvmlPciInfo_t *p) { BEGIN GPU(h) NONNULL(p) fill_pci(p, g->busId); END }

nvmlReturn_t nvmlDeviceGetMemoryInfo(void *h, nvmlMemory_t *mem) {
    BEGIN NONNULL(mem)
    struct fake_gpu *g = gpu_of(h);
    struct fake_mig *m = g ? NULL : mig_of(h);
    if (!g && !m) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    if (gpus[g ? g->index : m->gpu].lost) FAIL(NVML_ERROR_GPU_IS_LOST);
    mem->total = g ? g->memBytes : m->memBytes;
    mem->used = g ? g->usedBytes : 0;
    mem->free = mem->total - mem->used;
    END
}

nvmlReturn_t nvmlDeviceGetMemoryAffinity(void *h, unsigned int nodeSetSize, unsigned long *nodeSet, int scope) {
    BEGIN GPU(h) NONNULL(nodeSet) LIVE(g)
    if (nodeSetSize == 0 || (scope != 0 && scope != 1)) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    if (g->numa < 0) FAIL(NVML_ERROR_NOT_SUPPORTED);
    memset(nodeSet, 0, nodeSetSize * sizeof(unsigned long));
    if ((unsigned int) g->numa / 64 < nodeSetSize) nodeSet[g->numa / 64] |= 1UL << (g->numa % 64);
    END
}
nvmlReturn_t nvmlDeviceGetArchitecture(void *h, unsigned int *arch) {
    BEGIN GPU(h) NONNULL(arch) LIVE(g) if (g->arch < 0) FAIL(NVML_ERROR_NOT_SUPPORTED); *arch = (unsigned int) g->arch; END
}
nvmlReturn_t nvmlDeviceGetCudaComputeCapability(void *h, int *major, int *minor) {
    BEGIN GPU(h) NONNULL(major) NONNULL(minor) LIVE(g) *major = g->ccMajor; *minor = g->ccMinor; END
}
nvmlReturn_t nvmlDeviceGetTopologyCommonAncestor(void *a, void *b, int *level) {
    BEGIN NONNULL(level)
    struct fake_gpu *x = gpu_of(a), *y = gpu_of(b);
    if (!x || !y) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    if (x->lost || y->lost) FAIL(NVML_ERROR_GPU_IS_LOST);
    *level = x->topo[y->index];
    END
}

static nvmlReturn_t link_of(void *h, unsigned int link, struct fake_link **out) {
    struct fake_gpu *g = gpu_of(h);
    if (!g) return NVML_ERROR_INVALID_ARGUMENT;
    if (g->lost) return NVML_ERROR_GPU_IS_LOST;
    if (g->nlinks == 0) return NVML_ERROR_NOT_SUPPORTED;
    if (link >= (unsigned int) g->nlinks) return NVML_ERROR_INVALID_ARGUMENT;
    *out = &g->links[link];
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetNvLinkState(void *h, unsigned int link, int *active) {
    BEGIN NONNULL(active) struct fake_link *l; rc = link_of(h, link, &l); if (rc == NVML_SUCCESS) *active = l->active; END
}
nvmlReturn_t nvmlDeviceGetNvLinkRemotePciInfo_v2(void *h, unsigned int link, nvmlPciInfo_t *p) {
    BEGIN NONNULL(p) struct fake_link *l; rc = link_of(h, link, &l); if (rc == NVML_SUCCESS) fill_pci(p, l->busId); END
}
nvmlReturn_t nvmlDeviceGetNvLinkRemoteDeviceType(void *h, unsigned int link, int *type) {
    BEGIN NONNULL(type) struct fake_link *l; rc = link_of(h, link, &l); if (rc == NVML_SUCCESS) *type = l->type; END
}

nvmlReturn_t nvmlDeviceGetMigMode(void *h, unsigned int *current, unsigned int *pending) {
    BEGIN GPU(h) NONNULL(current) NONNULL(pending) LIVE(g) if (!g->migCapable) FAIL(NVML_ERROR_NOT_SUPPORTED);
    *current = *pending = (unsigned int) g->migEnabled;
    END
}
nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(void *h, unsigned int *n) {
    BEGIN GPU(h) NONNULL(n) LIVE(g) *n = g->migCapable ? MAX_MIG : 0; END
}
nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(void *h, unsigned int index, void **mig) {
    BEGIN GPU(h) NONNULL(mig) LIVE(g)
    if (!g->migEnabled) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    if (index >= MAX_MIG) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    unsigned int seen = 0;
    for (int m = 0; m < MAX_MIG; m++) {
        if (g->migs[m].used && g->migs[m].ci >= 0) {
            if (seen == index) { *mig = &g->migs[m]; goto out; }
            seen++;
        }
    }
    rc = NVML_ERROR_NOT_FOUND;
    END
}
nvmlReturn_t nvmlDeviceGetGpuInstanceId(void *h, unsigned int *id) {
    BEGIN NONNULL(id) struct fake_mig *m = mig_of(h); if (!m) FAIL(NVML_ERROR_INVALID_ARGUMENT); *id = (unsigned int) m->gi; END
}
nvmlReturn_t nvmlDeviceGetComputeInstanceId(void *h, unsigned int *id) {
    BEGIN NONNULL(id) struct fake_mig *m = mig_of(h); if (!m) FAIL(NVML_ERROR_INVALID_ARGUMENT); *id = (unsigned int) m->ci; END
}
nvmlReturn_t nvmlDeviceGetGpuInstanceById(void *h, unsigned int id, void **gi) {
    BEGIN GPU(h) NONNULL(gi) LIVE(g)
    for (int m = 0; m < MAX_MIG; m++) if (g->migs[m].used && g->migs[m].gi == (int) id) { *gi = &g->migs[m].gi_tag; goto out; }
    rc = NVML_ERROR_NOT_FOUND;
    END
}
nvmlReturn_t nvmlGpuInstanceGetInfo(void *h, nvmlGpuInstanceInfo_t *info) {
    BEGIN NONNULL(info) struct fake_mig *m = gi_of(h); if (!m) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    info->device = &gpus[m->gpu]; info->id = (unsigned int) m->gi; info->profileId = (unsigned int) m->profileId;
    info->placement.start = (unsigned int) m->start; info->placement.size = (unsigned int) m->size;
    END
}
nvmlReturn_t nvmlDeviceGetGpuInstanceProfileInfo(void *h, unsigned int profile, nvmlGpuInstanceProfileInfo_t *info) {
    BEGIN GPU(h) NONNULL(info) LIVE(g)
    if (!g->migCapable) FAIL(NVML_ERROR_NOT_SUPPORTED);
    if (profile >= MAX_PROFILES || !g->profiles[profile].used) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    struct fake_profile *p = &g->profiles[profile];
    memset(info, 0, sizeof *info);
    info->id = (unsigned int) p->id; info->sliceCount = (unsigned int) p->slices; info->memorySizeMB = p->memMB;
    info->instanceCount = (unsigned int) (8 / p->placementSize);
    END
}
nvmlReturn_t nvmlDeviceCreateGpuInstanceWithPlacement(void *h, unsigned int profileId, const nvmlGpuInstancePlacement_t *pl, void **gi) {
    BEGIN GPU(h) NONNULL(pl) NONNULL(gi) LIVE(g)
    if (!g->migEnabled) FAIL(NVML_ERROR_NOT_SUPPORTED);
    struct fake_profile *p = NULL;
    for (int i = 0; i < MAX_PROFILES; i++) if (g->profiles[i].used && g->profiles[i].id == (int) profileId) p = &g->profiles[i];
    if (!p || pl->size != (unsigned int) p->placementSize || pl->start + pl->size > 8) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    int slot = -1, id = 1;
    for (int m = 0; m < MAX_MIG; m++) {
        struct fake_mig *o = &g->migs[m];
        if (!o->used) { if (slot < 0) slot = m; continue; }
        if ((int) pl->start < o->start + o->size && o->start < (int) (pl->start + pl->size)) FAIL(NVML_ERROR_INSUFFICIENT_RESOURCES);
    }
    if (slot < 0) FAIL(NVML_ERROR_INSUFFICIENT_RESOURCES);
    for (int again = 1; again;) {
        again = 0;
        for (int m = 0; m < MAX_MIG; m++) if (g->migs[m].used && g->migs[m].gi == id) { id++; again = 1; }
    }
    struct fake_mig *n = &g->migs[slot];
    n->used = 1; n->gi = id; n->ci = -1; n->profileId = (int) profileId; n->start = (int) pl->start; n->size = (int) pl->size;
    n->memBytes = p->memMB * 1024ULL * 1024ULL;
    snprintf(n->uuid, sizeof n->uuid, "MIG-fa4e0000-0000-4000-8000-%04x%08x", (unsigned int) g->index, ++createdMigs);
    *gi = &n->gi_tag;
    END
}
static const int ciSlices[] = { 1, 2, 3, 4, 7 };
nvmlReturn_t nvmlGpuInstanceGetComputeInstanceProfileInfo(void *h, unsigned int profile, unsigned int eng, nvmlComputeInstanceProfileInfo_t *info) {
    BEGIN NONNULL(info) struct fake_mig *m = gi_of(h); if (!m) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    if (eng != 0 || profile >= sizeof ciSlices / sizeof ciSlices[0]) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    int giSlices = 0;
    for (int i = 0; i < MAX_PROFILES; i++) if (gpus[m->gpu].profiles[i].used && gpus[m->gpu].profiles[i].id == m->profileId) giSlices = gpus[m->gpu].profiles[i].slices;
    if (ciSlices[profile] > giSlices) FAIL(NVML_ERROR_NOT_SUPPORTED);
    memset(info, 0, sizeof *info);
    info->id = profile; info->sliceCount = (unsigned int) ciSlices[profile]; info->instanceCount = (unsigned int) (giSlices / ciSlices[profile]);
    END
}
nvmlReturn_t nvmlGpuInstanceCreateComputeInstance(void *h, unsigned int profileId, void **ci) {
    BEGIN NONNULL(ci) struct fake_mig *m = gi_of(h); if (!m) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    if (profileId >= sizeof ciSlices / sizeof ciSlices[0]) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    if (m->ci >= 0) FAIL(NVML_ERROR_INSUFFICIENT_RESOURCES);
    m->ci = 0;
    *ci = &m->ci_tag;
    END
}
nvmlReturn_t nvmlGpuInstanceGetComputeInstanceById(void *h, unsigned int id, void **ci) {
    BEGIN NONNULL(ci) struct fake_mig *m = gi_of(h); if (!m) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    if (m->ci < 0 || m->ci != (int) id) FAIL(NVML_ERROR_NOT_FOUND);
    *ci = &m->ci_tag;
    END
}
nvmlReturn_t nvmlComputeInstanceDestroy(void *h) {
    BEGIN struct fake_mig *m = ci_of(h); if (!m) FAIL(NVML_ERROR_INVALID_ARGUMENT); m->ci = -1; END
}
nvmlReturn_t nvmlGpuInstanceDestroy(void *h) {
    BEGIN struct fake_mig *m = gi_of(h); if (!m) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    if (m->ci >= 0) FAIL(NVML_ERROR_IN_USE);
    m->used = 0;
    END
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(void *h, nvmlUtilization_t *u) {
    BEGIN GPU(h) NONNULL(u) LIVE(g) u->gpu = (unsigned int) g->util; u->memory = (unsigned int) g->memUtil; END
}
nvmlReturn_t nvmlDeviceGetTemperature(void *h, int sensor, unsigned int *t) {
    BEGIN GPU(h) NONNULL(t) LIVE(g) if (sensor != 0) FAIL(NVML_ERROR_INVALID_ARGUMENT); *t = (unsigned int) g->temp; END
}
nvmlReturn_t nvmlDeviceGetPowerUsage(void *h, unsigned int *mw) { BEGIN GPU(h) NONNULL(mw) LIVE(g) *mw = (unsigned int) g->powerMw; END }
nvmlReturn_t nvmlDeviceGetTotalEccErrors(void *h, int type, int counter, unsigned long long *count) {
    BEGIN GPU(h) NONNULL(count) LIVE(g)
    if (counter != 0 || (type != 0 && type != 1)) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    long long v = type == 0 ? g->eccCorrected : g->eccUncorrected;
    if (v < 0) FAIL(NVML_ERROR_NOT_SUPPORTED);
    *count = (unsigned long long) v;
    END
}

nvmlReturn_t nvmlEventSetCreate(void **set) { BEGIN NONNULL(set) *set = &eventSet; END }
nvmlReturn_t nvmlDeviceRegisterEvents(void *h, unsigned long long types, void *set) {
    BEGIN GPU(h) LIVE(g) if (set != &eventSet) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    if (types & ~XID_EVENT) FAIL(NVML_ERROR_NOT_SUPPORTED);
    g->registered = 1;
    END
}
nvmlReturn_t nvmlEventSetWait_v2(void *set, nvmlEventData_t *data, unsigned int timeoutms) {
    BEGIN NONNULL(data) if (set != &eventSet) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeoutms / 1000;
    deadline.tv_nsec += (long) (timeoutms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) { deadline.tv_sec++; deadline.tv_nsec -= 1000000000L; }
    for (;;) {
        for (int e = 0; e < nevents; e++) {
            struct fake_event ev = events[e];
            if (!ev.lostSignal && !gpus[ev.gpu].registered) continue;
            memmove(&events[e], &events[e + 1], (size_t) (nevents - e - 1) * sizeof events[0]);
            nevents--;
            if (ev.lostSignal) FAIL(NVML_ERROR_GPU_IS_LOST);
            memset(data, 0, sizeof *data);
            data->device = &gpus[ev.gpu]; data->eventType = ev.type; data->eventData = ev.data;
            data->gpuInstanceId = 0xFFFFFFFFu; data->computeInstanceId = 0xFFFFFFFFu;
            goto out;
        }
        if (pthread_cond_timedwait(&cv, &mu, &deadline) == ETIMEDOUT) FAIL(NVML_ERROR_TIMEOUT);
    }
    END
}
nvmlReturn_t nvmlEventSetFree(void *set) {
    BEGIN if (set != &eventSet) FAIL(NVML_ERROR_INVALID_ARGUMENT);
    for (int i = 0; i < ngpus; i++) gpus[i].registered = 0;
    END
}
