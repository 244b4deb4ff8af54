#include "services/demo/DemoProject.h"

#include <algorithm>

namespace bw::demo {

namespace {

QByteArray num(long long v) {
    return QByteArray::number(v);
}

// The main line's story, in order (Knobs "main"):
//  1 make check            2 checksum.c (sum)       3 --seed            4 progress per GiB
//  5 --quiet               6 profiles.c             7 --list-profiles   8 --profile
//  9 stats.c               10 Fletcher-32           11 docs/netsim.md   12 release 0.1
//  13 CPPFLAGS/LDFLAGS     14 32 KiB chunks         15 128 descriptors  16 polls counted
//  17 release 0.2          18 64 KiB chunks         19 usage names the option
//  20 256 descriptors      21 release 0.3           22 GiB/s            23 release 0.4
// Topics: "json" (1-10), "crc" (1-12), "irq" (1-14; 3-5 do not build, 8 is the planted
// regression), "eth" (1-10).

QByteArray version(const Knobs &k) {
    const int r = k["release"];
    return r == 0 ? QByteArray("0.1-dev") : "0." + num(r);
}

int chunkKiB(const Knobs &k) {
    return k["main"] >= 18 ? 64 : k["main"] >= 14 ? 32 : 16;
}

int ringSize(const Knobs &k) {
    return k["main"] >= 20 ? 256 : k["main"] >= 15 ? 128 : 64;
}

QByteArray checksumName(const Knobs &k) {
    return k["crc"] >= 3 ? "crc32" : k["main"] >= 10 ? "fletcher32" : "sum";
}

QByteArray makefile(const Knobs &k) {
    const int m = k["main"];
    QByteArray objs = "src/main.o src/ring.o src/transfer.o";
    if (m >= 2)
        objs += " src/checksum.o";
    if (m >= 6)
        objs += " src/profiles.o";
    if (m >= 9)
        objs += " src/stats.o";
    QByteArray s = "# netsim: `make` builds it, `make check` runs a short stress test.\n"
                   "CC = cc\n"
                   "CFLAGS = -O2 -g -Wall\n"
                   "OBJS = " +
                   objs + "\n\n";
    s += "netsim: $(OBJS)\n";
    s += m >= 13 ? "\t$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS)\n\n"
                 : "\t$(CC) $(CFLAGS) -o $@ $(OBJS)\n\n";
    s += "src/%.o: src/%.c src/netsim.h\n";
    s += m >= 13 ? "\t$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<\n\n"
                 : "\t$(CC) $(CFLAGS) -c -o $@ $<\n\n";
    QByteArray phony = "clean";
    if (m >= 1) {
        s += "check: netsim\n";
        s += m >= 5 ? "\t./netsim --stress 4 --quiet\n" : "\t./netsim --stress 4\n";
        if (k["crc"] >= 5)
            s += "\t./netsim --self-test\n";
        s += "\n";
        phony = "check " + phony;
    }
    if (k["json"] >= 8) {
        s +=
            "check-json: netsim\n\t./netsim --stress 1 --quiet --json | grep -q '\"checksum\"'\n\n";
        phony = "check-json " + phony;
    }
    s += "clean:\n\trm -f netsim $(OBJS)\n\n.PHONY: " + phony + "\n";
    return s;
}

QByteArray header(const Knobs &k) {
    const int m = k["main"];
    const int irq = k["irq"];
    QByteArray s = "/* netsim: simulates bulk transfers through a NIC descriptor ring. */\n"
                   "#ifndef NETSIM_H\n#define NETSIM_H\n\n#include <stdint.h>\n\n";
    s += "#define NETSIM_VERSION \"" + version(k) + "\"\n";
    s += "#define CHUNK_SIZE (" + num(chunkKiB(k)) + " * 1024u)\n";
    s += "#define CHUNKS_PER_GIB ((1024u * 1024u * 1024u) / CHUNK_SIZE)\n";
    s += "#define RING_SIZE " + num(ringSize(k)) + "\n";
    s += "/* How often, per GiB and per mille, the device loses the race that re-arms its\n"
         " * completion interrupt. */\n#define RACE_PER_MILLE 67\n\n";
    if (irq >= 13)
        s += "/* The ring counts descriptors, never wraps (64-bit counters):\n"
             " *   posted - reaped   descriptors the device owns (the ring is full at size)\n"
             " *   written - reaped  completions waiting for the driver\n"
             " * The device raises irq_pending for a completion only while irq_enabled;\n"
             " * ring_reap() re-enables it. */\n";
    s += "struct ring {\n"
         "    unsigned size;\n"
         "    uint64_t posted;  /* descriptors handed to the device */\n"
         "    uint64_t written; /* completions the device wrote to the used ring */\n"
         "    uint64_t reaped;  /* completions the driver has processed */\n"
         "    int irq_enabled;\n"
         "    int irq_pending;\n";
    if (irq >= 1)
        s += "    uint64_t interrupts;\n";
    s += "};\n\n"
         "void ring_init(struct ring *r, unsigned size);\n"
         "int ring_full(const struct ring *r);\n"
         "void ring_post(struct ring *r);\n"
         "unsigned ring_reap(struct ring *r);\n";
    if (irq >= 3)
        s += "void wait_for_interrupt(struct ring *r);\n";
    s += "\n/* The simulated device: completes every descriptor at once and, now and then,\n"
         " * loses the race that re-arms its interrupt. */\n"
         "struct device {\n"
         "    uint64_t rng;\n"
         "    uint64_t race_at; /* the chunk of this GiB where the race is lost, or none */\n"
         "    uint64_t chunk;\n"
         "};\n\n"
         "void device_init(struct device *d, uint64_t seed);\n"
         "void device_next_gib(struct device *d, unsigned ring_size);\n"
         "void device_complete(struct device *d, struct ring *r);\n\n";
    s += "struct transfer_opts {\n    unsigned gib;\n    uint64_t seed;\n";
    if (m >= 5)
        s += "    int quiet;\n";
    s += "    unsigned ring_size;\n};\n\n";
    s += "struct transfer_result {\n    uint64_t chunks;\n    uint32_t checksum;\n";
    if (m >= 16)
        s += "    uint64_t polls;\n";
    if (irq >= 5)
        s += "    uint64_t reaps;\n";
    if (irq >= 7)
        s += "    uint64_t interrupts;\n";
    s += "};\n\n"
         "int transfer_run(const struct transfer_opts *o, struct transfer_result *res);\n";
    if (m >= 2) {
        s += "\nuint32_t checksum_update(uint32_t sum, const unsigned char *p, unsigned len);\n"
             "const char *checksum_name(void);\n";
        if (k["crc"] >= 1)
            s += "uint32_t crc32_update(uint32_t crc, const unsigned char *p, unsigned len);\n";
        if (k["crc"] >= 2)
            s += "int checksum_self_test(void);\n";
    }
    if (m >= 6) {
        s += "\nstruct profile {\n    const char *name;\n    unsigned mbps;\n    unsigned mtu;\n"
             "    unsigned ring;\n";
        if (k["eth"] >= 1)
            s += "    const char *features;\n";
        s += "};\n\nextern const struct profile profiles[];\nextern const unsigned "
             "profile_count;\nconst struct profile *profile_find(const char *name);\n";
    }
    if (m >= 9)
        s += "\ndouble stats_now(void);\ndouble stats_rate(uint64_t bytes, double seconds);\n"
             "const char *stats_unit(void);\n";
    s += "\n#endif\n";
    return s;
}

QByteArray ringC(const Knobs &k) {
    const int irq = k["irq"];
    QByteArray s = "#include \"netsim.h\"\n\n";
    if (irq >= 3)
        s += "#include <time.h>\n\n";
    s += "void ring_init(struct ring *r, unsigned size)\n{\n"
         "    r->size = size;\n"
         "    r->posted = r->written = r->reaped = 0;\n"
         "    r->irq_enabled = 1;\n"
         "    r->irq_pending = 0;\n";
    if (irq >= 1)
        s += "    r->interrupts = 0;\n";
    s += "}\n\n"
         "int ring_full(const struct ring *r)\n{\n"
         "    return r->posted - r->reaped >= r->size;\n}\n\n"
         "void ring_post(struct ring *r)\n{\n    r->posted++;\n}\n\n"
         "/* Processes every completion the device wrote and re-arms its interrupt. */\n"
         "unsigned ring_reap(struct ring *r)\n{\n"
         "    unsigned n = (unsigned)(r->written - r->reaped);\n\n"
         "    r->reaped = r->written;\n"
         "    r->irq_pending = 0;\n"
         "    r->irq_enabled = 1;\n"
         "    return n;\n}\n";
    if (irq >= 3) {
        s += "\n/* Sleeps until the device raises its completion interrupt. */\n"
             "void wait_for_interrupt(struct ring *r)\n{\n";
        s += irq >= 10 ? "    struct timespec ts = {0, 1000 * 1000};\n\n"
                       : "    struct timespec ts = {0, 10 * 1000 * 1000};\n\n";
        s += "    while (!r->irq_pending)\n";
        // The interrupt topic's third commit forgets a semicolon; the sixth adds it.
        s += irq >= 6 ? "        nanosleep(&ts, NULL);\n" : "        nanosleep(&ts, NULL)\n";
        s += "    ring_reap(r);\n}\n";
    }
    s += "\n/* splitmix64: any seed gives a good sequence. */\n"
         "static uint64_t next_random(uint64_t *state)\n{\n"
         "    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);\n\n"
         "    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;\n"
         "    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;\n"
         "    return z ^ (z >> 31);\n}\n\n"
         "void device_init(struct device *d, uint64_t seed)\n{\n"
         "    d->rng = seed;\n"
         "    d->race_at = UINT64_MAX;\n"
         "    d->chunk = 0;\n}\n\n"
         "/* RACE_PER_MILLE GiB in a thousand lose the race once, early enough in the GiB\n"
         " * for the ring to fill up afterwards. */\n"
         "void device_next_gib(struct device *d, unsigned ring_size)\n{\n"
         "    d->chunk = 0;\n"
         "    d->race_at = UINT64_MAX;\n"
         "    if (next_random(&d->rng) % 1000 < RACE_PER_MILLE)\n"
         "        d->race_at = next_random(&d->rng) % (CHUNKS_PER_GIB - ring_size);\n}\n\n"
         "void device_complete(struct device *d, struct ring *r)\n{\n"
         "    r->written++;\n";
    if (irq >= 4)
        s += "    /* The driver re-arms the interrupt while the device writes this completion:\n"
             "     * the device sees it disabled and stays silent until the driver reaps the\n"
             "     * ring again. Real hardware does this too. */\n";
    s += "    if (d->chunk++ == d->race_at)\n"
         "        r->irq_enabled = 0;\n"
         "    if (r->irq_enabled) {\n"
         "        r->irq_pending = 1;\n";
    if (irq >= 1)
        s += "        r->interrupts++;\n";
    s += "    }\n}\n";
    return s;
}

QByteArray transferC(const Knobs &k) {
    const int m = k["main"];
    const int irq = k["irq"];
    QByteArray s = "#include \"netsim.h\"\n\n#include <stdio.h>\n\n";
    if (m < 2)
        s += "static uint32_t checksum_update(uint32_t sum, const unsigned char *p, unsigned "
             "len)\n{\n    while (len--)\n        sum += *p++;\n    return sum;\n}\n\n";
    s += "int transfer_run(const struct transfer_opts *o, struct transfer_result *res)\n{\n"
         "    struct ring ring;\n"
         "    struct device dev;\n"
         "    unsigned char header[16];\n"
         "    uint64_t seq = 0;\n\n"
         "    ring_init(&ring, o->ring_size ? o->ring_size : RING_SIZE);\n"
         "    device_init(&dev, o->seed);\n"
         "    res->chunks = 0;\n"
         "    res->checksum = 0;\n";
    if (m >= 16)
        s += "    res->polls = 0;\n";
    if (irq >= 5)
        s += "    res->reaps = 0;\n";
    s += "    for (unsigned gib = 0; gib < o->gib; ++gib) {\n"
         "        device_next_gib(&dev, ring.size);\n"
         "        for (uint64_t c = 0; c < CHUNKS_PER_GIB; ++c) {\n";
    if (irq >= 8) {
        // The planted regression: a lost interrupt now stalls the transfer for good.
        s += "            /* The device interrupts for every completion: sleep until it does\n"
             "             * instead of burning CPU on the used ring. */\n"
             "            while (ring_full(&ring))\n"
             "                wait_for_interrupt(&ring);\n";
    } else {
        s += "            while (ring_full(&ring)) {\n"
             "                /* A lost interrupt must not stall the transfer: look at the\n"
             "                 * used ring ourselves. */\n"
             "                ring_reap(&ring);\n";
        if (m >= 16)
            s += "                res->polls++;\n";
        s += "            }\n";
    }
    s += "            ring_post(&ring);\n"
         "            for (int i = 0; i < 8; ++i) {\n"
         "                header[i] = (unsigned char)(seq >> (8 * i));\n"
         "                header[8 + i] = (unsigned char)(c >> (8 * i));\n"
         "            }\n"
         "            res->checksum = checksum_update(res->checksum, header, sizeof header);\n"
         "            device_complete(&dev, &ring);\n";
    const QByteArray comment =
        irq >= 2 ? "            /* reap when the device says so, like an interrupt handler */\n"
                 : "";
    const QByteArray reap = irq >= 5 ? "res->reaps += ring_reap(&ring);\n" : "ring_reap(&ring);\n";
    if (irq >= 11)
        s += "            seq++;\n" + comment +
             "            if (!ring.irq_pending)\n"
             "                continue;\n"
             "            " +
             reap;
    else
        s += comment + "            if (ring.irq_pending)\n                " + reap +
             "            seq++;\n";
    s += "        }\n        res->chunks = seq;\n";
    if (m >= 5)
        s += "        if (!o->quiet) {\n"
             "            printf(\"netsim: %u GiB sent\\n\", gib + 1);\n"
             "            fflush(stdout);\n"
             "        }\n";
    else if (m >= 4)
        s += "        printf(\"netsim: %u GiB sent\\n\", gib + 1);\n"
             "        fflush(stdout);\n";
    s += "    }\n";
    if (irq >= 7)
        s += "    res->interrupts = ring.interrupts;\n";
    s += "    return 0;\n}\n";
    return s;
}

QByteArray checksumC(const Knobs &k) {
    const int crc = k["crc"];
    QByteArray s = "#include \"netsim.h\"\n\n";
    s += "const char *checksum_name(void)\n{\n    return \"" + checksumName(k) + "\";\n}\n\n";
    s += "uint32_t checksum_update(uint32_t sum, const unsigned char *p, unsigned len)\n{\n";
    if (crc >= 3)
        s += "    return crc32_update(sum, p, len);\n";
    else if (k["main"] >= 10)
        s += "    uint32_t a = sum & 0xffff, b = sum >> 16;\n\n"
             "    while (len--) {\n"
             "        a = (a + *p++) % 65535;\n"
             "        b = (b + a) % 65535;\n"
             "    }\n"
             "    return (b << 16) | a;\n";
    else
        s += "    while (len--)\n        sum += *p++;\n    return sum;\n";
    s += "}\n";
    if (crc >= 1) {
        if (crc >= 12)
            s += "\n/* CRC-32C (Castagnoli) would be faster with SSE4.2, but every tool that "
                 "checks\n"
                 " * our numbers speaks the IEEE polynomial. */\n";
        s += "\nstatic uint32_t crc_table[256];\nstatic int crc_ready;\n\n"
             "static void crc32_init(void)\n{\n"
             "    for (uint32_t i = 0; i < 256; ++i) {\n"
             "        uint32_t c = i;\n\n"
             "        for (int bit = 0; bit < 8; ++bit)\n";
        if (crc >= 7)
            s += "            /* 0xedb88320: the IEEE 802.3 polynomial, bit-reversed */\n";
        s += crc >= 10 ? "            c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;\n"
                       : "            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;\n";
        s += "        crc_table[i] = c;\n    }\n    crc_ready = 1;\n}\n\n"
             "uint32_t crc32_update(uint32_t crc, const unsigned char *p, unsigned len)\n{\n"
             "    if (!crc_ready)\n        crc32_init();\n"
             "    crc = ~crc;\n"
             "    while (len--)\n"
             "        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);\n"
             "    return ~crc;\n}\n";
    }
    if (crc >= 2) {
        s += "\n/* The check value every CRC-32 implementation agrees on. */\n"
             "int checksum_self_test(void)\n{\n"
             "    const unsigned char check[] = \"123456789\";\n\n";
        if (crc >= 9)
            s += "    if (crc32_update(0, check, 0) != 0)\n        return -1;\n";
        s += "    return crc32_update(0, check, 9) == 0xcbf43926u ? 0 : -1;\n}\n";
    }
    return s;
}

QByteArray profilesC(const Knobs &k) {
    const int rows = std::min<int>(k["profiles"], int(profileTable().size()));
    const int eth = k["eth"];
    QByteArray s = "#include \"netsim.h\"\n\n#include <string.h>\n\n"
                   "const struct profile profiles[] = {\n";
    s += eth >= 1 ? "    /* name, Mbit/s, MTU, ring descriptors, offloads */\n"
                  : "    /* name, Mbit/s, MTU, ring descriptors */\n";
    for (int i = 0; i < rows; ++i) {
        const Profile &p = profileTable()[size_t(i)];
        s += "    {\"" + QByteArray(p.name) + "\", " + num(p.mbps) + ", " + num(profileMtu(k, i)) +
             ", " + num(profileRing(k, i));
        if (eth >= 1)
            s += ", \"" + QByteArray(eth >= 2 + i % 7 ? p.features : "") + "\"";
        s += "},\n";
    }
    s += "};\n\nconst unsigned profile_count = sizeof profiles / sizeof profiles[0];\n\n"
         "const struct profile *profile_find(const char *name)\n{\n"
         "    for (unsigned i = 0; i < profile_count; ++i)\n"
         "        if (!strcmp(profiles[i].name, name))\n"
         "            return &profiles[i];\n"
         "    return NULL;\n}\n";
    return s;
}

QByteArray statsC(const Knobs &k) {
    const bool gib = k["main"] >= 22;
    QByteArray s = "#include \"netsim.h\"\n\n#include <time.h>\n\n"
                   "double stats_now(void)\n{\n"
                   "    struct timespec ts;\n\n"
                   "    clock_gettime(CLOCK_MONOTONIC, &ts);\n"
                   "    return ts.tv_sec + ts.tv_nsec / 1e9;\n}\n\n";
    s += gib ? "/* Simulated bytes per second of wall time, in GiB/s. */\n"
             : "/* Simulated bytes per second of wall time, in MiB/s. */\n";
    s += "double stats_rate(uint64_t bytes, double seconds)\n{\n"
         "    if (seconds <= 0)\n        return 0;\n";
    s += gib ? "    return bytes / seconds / (1024.0 * 1024.0 * 1024.0);\n}\n\n"
             : "    return bytes / seconds / (1024.0 * 1024.0);\n}\n\n";
    s += "const char *stats_unit(void)\n{\n    return \"" + QByteArray(gib ? "GiB/s" : "MiB/s") +
         "\";\n}\n";
    return s;
}

QByteArray mainC(const Knobs &k) {
    const int m = k["main"];
    const int json = k["json"];
    const int crc = k["crc"];
    QByteArray s = "#include \"netsim.h\"\n\n"
                   "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
                   "#include <time.h>\n#include <unistd.h>\n\n";
    QByteArray usage = "usage: netsim --stress GIB";
    if (m >= 3)
        usage += " [--seed N]";
    if (m >= 5)
        usage += " [--quiet]";
    if (m >= 8)
        usage += " [--profile NAME]";
    if (json >= 5)
        usage += " [--json]";
    s += "static void usage(FILE *out)\n{\n    fputs(\"" + usage + "\\n\"\n";
    if (m >= 7)
        s += "          \"       netsim --list-profiles\\n\"\n";
    if (crc >= 2)
        s += "          \"       netsim --self-test\\n\"\n";
    s += "          \"       netsim --version\\n\",\n          out);\n}\n\n";
    s += "/* Different for every run: the hang this program simulates is a matter of luck. */\n"
         "static uint64_t fresh_seed(void)\n{\n"
         "    struct timespec ts;\n\n"
         "    clock_gettime(CLOCK_REALTIME, &ts);\n"
         "    return ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ "
         "((uint64_t)getpid() << 16);\n}\n\n";
    if (json >= 6)
        s += "static void json_string(const char *text)\n{\n"
             "    putchar('\"');\n"
             "    for (; *text; ++text) {\n"
             "        if (*text == '\"' || *text == '\\\\')\n"
             "            putchar('\\\\');\n"
             "        putchar(*text);\n"
             "    }\n"
             "    putchar('\"');\n}\n\n";
    if (json >= 1) {
        s += "static void print_json(const struct transfer_opts *o, const struct "
             "transfer_result *r,\n"
             "                       double seconds, const char *profile)\n{\n"
             "    printf(\"{\\\"gib\\\": %u, \\\"chunks\\\": %llu, \\\"checksum\\\": "
             "\\\"%08x\\\"\", o->gib,\n"
             "           (unsigned long long)r->chunks, r->checksum);\n";
        if (json >= 2)
            s += "    printf(\", \\\"seed\\\": %llu\", (unsigned long long)o->seed);\n";
        if (json >= 3)
            s += "    printf(\", \\\"elapsed_ms\\\": %.0f\", seconds * 1000);\n";
        if (json >= 6)
            s += "    if (profile) {\n"
                 "        fputs(\", \\\"profile\\\": \", stdout);\n"
                 "        json_string(profile);\n"
                 "    }\n";
        if (json >= 7)
            s += "    printf(\", \\\"version\\\": \\\"%s\\\"\", NETSIM_VERSION);\n";
        if (json >= 10)
            s += "    fputs(\", \\\"ok\\\": true\", stdout);\n";
        s += "    fputs(\"}\\n\", stdout);\n}\n\n";
    }
    s += "int main(int argc, char **argv)\n{\n"
         "    struct transfer_opts opts = {0};\n"
         "    struct transfer_result res;\n";
    if (json >= 1)
        s += "    int json = 0;\n";
    if (m >= 8)
        s += "    const struct profile *profile = NULL;\n";
    if (m >= 9)
        s += "    double started, seconds;\n";
    s += "\n    opts.seed = fresh_seed();\n"
         "    for (int i = 1; i < argc; ++i) {\n"
         "        if (!strcmp(argv[i], \"--stress\") && i + 1 < argc) {\n"
         "            opts.gib = (unsigned)strtoul(argv[++i], NULL, 10);\n";
    if (m >= 3)
        s += "        } else if (!strcmp(argv[i], \"--seed\") && i + 1 < argc) {\n"
             "            opts.seed = strtoull(argv[++i], NULL, 0);\n";
    if (m >= 5)
        s += "        } else if (!strcmp(argv[i], \"--quiet\")) {\n"
             "            opts.quiet = 1;\n";
    if (m >= 8)
        s += "        } else if (!strcmp(argv[i], \"--profile\") && i + 1 < argc) {\n"
             "            profile = profile_find(argv[++i]);\n"
             "            if (!profile) {\n"
             "                fprintf(stderr, \"netsim: no profile named %s (see "
             "--list-profiles)\\n\", argv[i]);\n"
             "                return 2;\n"
             "            }\n"
             "            opts.ring_size = profile->ring;\n";
    if (m >= 7) {
        s += "        } else if (!strcmp(argv[i], \"--list-profiles\")) {\n"
             "            for (unsigned p = 0; p < profile_count; ++p)\n";
        if (k["eth"] >= 9)
            s += "                printf(\"%-14s %6u Mbit/s  MTU %5u  ring %4u  %s\\n\", "
                 "profiles[p].name,\n"
                 "                       profiles[p].mbps, profiles[p].mtu, profiles[p].ring,\n"
                 "                       profiles[p].features);\n";
        else
            s += "                printf(\"%-14s %6u Mbit/s  MTU %5u  ring %4u\\n\", "
                 "profiles[p].name,\n"
                 "                       profiles[p].mbps, profiles[p].mtu, "
                 "profiles[p].ring);\n";
        s += "            return 0;\n";
    }
    if (json >= 1)
        s += "        } else if (!strcmp(argv[i], \"--json\")) {\n            json = 1;\n";
    if (crc >= 2)
        s += "        } else if (!strcmp(argv[i], \"--self-test\")) {\n"
             "            if (checksum_self_test() != 0) {\n"
             "                fputs(\"netsim: checksum self-test failed\\n\", stderr);\n"
             "                return 1;\n"
             "            }\n"
             "            puts(\"netsim: self-test passed\");\n"
             "            return 0;\n";
    s += "        } else if (!strcmp(argv[i], \"--version\")) {\n";
    s += crc >= 4 ? "            printf(\"netsim %s (%s)\\n\", NETSIM_VERSION, checksum_name());\n"
                  : "            printf(\"netsim %s\\n\", NETSIM_VERSION);\n";
    s += "            return 0;\n"
         "        } else {\n";
    if (m >= 19)
        s += "            fprintf(stderr, \"netsim: unknown option or missing value: %s\\n\", "
             "argv[i]);\n";
    s += "            usage(stderr);\n"
         "            return 2;\n"
         "        }\n"
         "    }\n"
         "    if (opts.gib == 0) {\n"
         "        usage(stderr);\n"
         "        return 2;\n"
         "    }\n";
    if (m >= 9)
        s += "    started = stats_now();\n";
    s += "    if (transfer_run(&opts, &res) != 0)\n        return 1;\n";
    if (m >= 9)
        s += "    seconds = stats_now() - started;\n";
    if (json >= 1)
        s += "    if (json) {\n"
             "        print_json(&opts, &res, seconds, profile ? profile->name : NULL);\n"
             "        return 0;\n"
             "    }\n";
    s += "    printf(\"netsim: %u GiB in %llu chunks, checksum %08x\", opts.gib,\n"
         "           (unsigned long long)res.chunks, res.checksum);\n";
    if (m >= 9)
        s += "    printf(\", %.1f %s\", stats_rate((uint64_t)opts.gib << 30, seconds), "
             "stats_unit());\n";
    if (m >= 16)
        s += "    printf(\", %llu polls\", (unsigned long long)res.polls);\n";
    if (k["irq"] >= 7)
        s += "    printf(\", %llu interrupts\", (unsigned long long)res.interrupts);\n";
    if (m >= 8)
        s += "    if (profile)\n        printf(\" over %s\", profile->name);\n";
    s += "    puts(\": ok\");\n    return 0;\n}\n";
    return s;
}

QByteArray typo(const Knobs &k, int index) {
    const Typo &t = readmeTypos()[size_t(index)];
    return k["typos"] > index ? t.right : t.wrong;
}

QByteArray readme(const Knobs &k) {
    const int m = k["main"];
    QByteArray s = "# netsim\n\n"
                   "netsim simulates bulk transfers through the descriptor ring of a network card: "
                   "the driver posts\nbuffers, the device writes completions and raises an "
                   "interrupt, and the driver reaps them. Nothing\nis sent anywhere; the point is "
                   "to " +
                   typo(k, 0) +
                   " and count a lot of completions quickly, the way a\nreal transfer of several "
                   "GiB would.\n\n"
                   "## Building\n\n"
                   "    make\n\n"
                   "Any C compiler will do: no dependencies but the C library, no " +
                   typo(k, 1) + " configure step.\n\n";
    s += "## Running\n\n    ./netsim --stress 10\n\nsends 10 GiB of simulated traffic";
    s += m >= 4 ? ", printing a line after each GiB,\n" : "\n";
    s += "and prints the chunk count and the checksum of the chunk headers.";
    if (m >= 3)
        s += " Every run is different\nunless `--seed N` is given.";
    s += "\n\n";
    if (m >= 1)
        s += "`make check` runs a short stress test.\n\n";
    s += "## How it fails\n\n"
         "A transfer that stops making progress does not fail: it hangs " +
         typo(k, 7) + " it is killed. Run it\nunder `timeout` when you test it. If a hang has " +
         typo(k, 2) + ", please note the seed, the\noptions and the version, " + typo(k, 3) +
         " `netsim --version` prints.\n\n";
    s += "## Contributing\n\n"
         "Patches are welcome " +
         typo(k, 4) +
         " the whole tree; please keep the code plain C99 and the\nMakefile free of "
         "extensions. It is " +
         typo(k, 5) + " worth running `make check` before sending.\nThe history from the " +
         typo(k, 6) + " is kept; topic branches are merged, not rebased.\n";
    return s;
}

QByteArray docs(const Knobs &k) {
    QByteArray s = "# The netsim manual\n";
    const int n = std::min<int>(k["docs"], int(docSections().size()));
    for (int i = 0; i < n; ++i) {
        const DocSection &d = docSections()[size_t(i)];
        s += "\n## " + QByteArray(d.title) + "\n\n" + d.body + "\n";
    }
    if (k["json"] >= 4)
        s += "\n## Machine-readable output\n\n`--json` prints the result as one JSON object on "
             "one line, for scripts.\n";
    if (k["crc"] >= 6)
        s += "\n## Checksums\n\nThe chunk headers are checksummed with " + checksumName(k) +
             "; `--version` names the algorithm and\n`--self-test` checks it against the "
             "standard check value." +
             (k["crc"] >= 11 ? QByteArray(" The CRC table is built on first use.") : "") + "\n";
    if (k["irq"] >= 9)
        s += QByteArray("\n## Interrupt mode\n\nWhen the ring is full, netsim sleeps until the "
                        "device's completion interrupt\ninstead of polling the used ring. "
                        "This saves the CPU the polling ") +
             (k["irq"] >= 14 ? "used" : "ued") + ".\n";
    if (k["eth"] >= 10)
        s += "\n## Offloads\n\n`--list-profiles` shows each profile's offloads (csum, tso, gso, "
             "lro); they are\ninformational only.\n";
    return s;
}

QByteArray profileDocs(const Knobs &k) {
    QByteArray s = "# Profiles\n\nWhat each `--profile` simulates.\n";
    const int n = std::min({k["profdocs"], k["profiles"], int(profileTable().size())});
    for (int i = 0; i < n; ++i) {
        const Profile &p = profileTable()[size_t(i)];
        s += "\n## " + QByteArray(p.name) + "\n\n" + num(p.mbps) + " Mbit/s, an MTU of " +
             num(profileMtu(k, i)) + " bytes and " + num(profileRing(k, i)) +
             " descriptors in the ring.\n";
    }
    return s;
}

QByteArray news(const Knobs &k) {
    const int release = k["release"];
    struct Note {
        int release;
        const char *text;
    };
    static const Note notes[] = {
        {1, "First release: --stress, --seed, --quiet, profiles, Fletcher-32 header checksums."},
        {2, "--json prints the result as one JSON object."},
        {2, "Chunks of 32 KiB and rings of 128 descriptors by default; polls are counted."},
        {3, "CRC-32 header checksums; --self-test."},
        {3, "Chunks of 64 KiB and rings of 256 descriptors by default."},
        {4, "Interrupt mode: a full ring waits for the completion interrupt."},
        {4, "Profiles list their offloads; throughput in GiB/s."},
    };
    auto shown = [&](int i) {
        switch (i) {
        case 1:
            return k["json"] >= 9;
        case 3:
            return k["crc"] >= 8;
        case 5:
            return k["irq"] >= 12;
        case 6:
            return k["eth"] >= 10;
        default:
            return release >= notes[i].release;
        }
    };
    QByteArray s = "# netsim news\n";
    QByteArray unreleased;
    for (int i = 0; i < int(std::size(notes)); ++i)
        if (shown(i) && notes[i].release > release)
            unreleased += "- " + QByteArray(notes[i].text) + "\n";
    if (!unreleased.isEmpty())
        s += "\n## Not released yet\n\n" + unreleased;
    for (int r = release; r >= 1; --r) {
        s += "\n## netsim 0." + num(r) + "\n\n";
        for (int i = 0; i < int(std::size(notes)); ++i)
            if (notes[i].release == r && shown(i))
                s += "- " + QByteArray(notes[i].text) + "\n";
    }
    return s;
}

QByteArray authors(const Knobs &k) {
    QByteArray s;
    const int n = std::min<int>(k["authors"] + 1, int(contributors().size()));
    for (int i = 0; i < n; ++i)
        s += QByteArray(contributors()[size_t(i)].name) + " <" + contributors()[size_t(i)].email +
             ">\n";
    return s;
}

const char *const licenseText =
    "MIT License\n\nCopyright (c) 2023 The netsim authors (see AUTHORS)\n\n"
    "Permission is hereby granted, free of charge, to any person obtaining a copy\n"
    "of this software and associated documentation files (the \"Software\"), to deal\n"
    "in the Software without restriction, including without limitation the rights\n"
    "to use, copy, modify, merge, publish, distribute, sublicense, and/or sell\n"
    "copies of the Software, and to permit persons to whom the Software is\n"
    "furnished to do so, subject to the following conditions:\n\n"
    "The above copyright notice and this permission notice shall be included in all\n"
    "copies or substantial portions of the Software.\n\n"
    "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\n"
    "IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\n"
    "FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\n"
    "AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\n"
    "LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\n"
    "OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\n"
    "SOFTWARE.\n";

} // namespace

Knobs Knobs::merged(const Knobs &ours, const Knobs &theirs, const Knobs &base) {
    Knobs result = ours;
    for (const auto &[key, value] : theirs.m_values)
        if (base[key] != value)
            result.m_values[key] = value;
    return result;
}

bool buildBreaks(const Knobs &knobs) {
    return knobs["irq"] >= 3 && knobs["irq"] < 6;
}

std::vector<ProjectFile> renderProject(const Knobs &k) {
    const int m = k["main"];
    std::vector<ProjectFile> files;
    files.push_back({QStringLiteral(".gitignore"), "*.o\n/netsim\n"});
    files.push_back({QStringLiteral("AUTHORS"), authors(k)});
    files.push_back({QStringLiteral("LICENSE"), licenseText});
    files.push_back({QStringLiteral("Makefile"), makefile(k)});
    files.push_back({QStringLiteral("README.md"), readme(k)});
    if (k["release"] >= 1)
        files.push_back({QStringLiteral("NEWS.md"), news(k)});
    if (m >= 11)
        files.push_back({QStringLiteral("docs/netsim.md"), docs(k)});
    if (k["profdocs"] >= 1)
        files.push_back({QStringLiteral("docs/profiles.md"), profileDocs(k)});
    if (m >= 2)
        files.push_back({QStringLiteral("src/checksum.c"), checksumC(k)});
    files.push_back({QStringLiteral("src/main.c"), mainC(k)});
    files.push_back({QStringLiteral("src/netsim.h"), header(k)});
    if (m >= 6)
        files.push_back({QStringLiteral("src/profiles.c"), profilesC(k)});
    files.push_back({QStringLiteral("src/ring.c"), ringC(k)});
    if (m >= 9)
        files.push_back({QStringLiteral("src/stats.c"), statsC(k)});
    files.push_back({QStringLiteral("src/transfer.c"), transferC(k)});
    std::sort(files.begin(), files.end(),
              [](const ProjectFile &a, const ProjectFile &b) { return a.path < b.path; });
    return files;
}

int tunedRow(int tune) {
    return (tune * 5 + 2) % 12;
}

bool tunesRing(int tune) {
    return tune % 3 != 2;
}

int profileRing(const Knobs &k, int row) {
    // the drivers' defaults changed back and forth over the years, as they do
    static const int factor[] = {2, 4, 2, 4, 2, 1}; // then 2 again: always a change
    int tunes = 0;
    for (int t = 0; t < k["tunes"]; ++t)
        if (tunedRow(t) == row && tunesRing(t))
            ++tunes;
    const int base = profileTable()[size_t(row)].ring;
    return tunes == 0 ? base : base * factor[(tunes - 1) % 6];
}

int profileMtu(const Knobs &k, int row) {
    int mtu = profileTable()[size_t(row)].mtu;
    for (int t = 0; t < k["tunes"]; ++t)
        if (tunedRow(t) == row && !tunesRing(t))
            mtu = mtu == 1500 ? 9000 : mtu == 9000 ? 9216 : mtu == 9216 ? 9600 : 1500;
    return mtu;
}

} // namespace bw::demo
