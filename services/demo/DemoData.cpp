// The demo project's data: the NIC profiles, the manual's sections, the README's typos
// and the people who write the history.

#include "services/demo/DemoProject.h"

namespace bw::demo {

const std::vector<Profile> &profileTable() {
    static const std::vector<Profile> table = {
        {"e1000", 1000, 1500, 256, "csum tso"},
        {"virtio-net", 10000, 1500, 256, "csum tso gso"},
        {"rtl8139", 100, 1500, 64, ""},
        {"pcnet", 100, 1500, 128, ""},
        {"vmxnet3", 10000, 9000, 512, "csum tso lro"},
        {"igb", 1000, 9216, 256, "csum tso"},
        {"ixgbe", 10000, 9216, 512, "csum tso lro"},
        {"i40e", 40000, 9216, 1024, "csum tso gso"},
        {"ice", 100000, 9216, 2048, "csum tso gso"},
        {"mlx4", 40000, 9000, 1024, "csum tso lro"},
        {"mlx5", 100000, 9000, 1024, "csum tso gso lro"},
        {"bnx2", 1000, 9000, 255, "csum tso"},
        {"bnx2x", 10000, 9000, 1024, "csum tso lro"},
        {"tg3", 1000, 9000, 511, "csum tso"},
        {"r8169", 1000, 9000, 256, "csum"},
        {"sky2", 1000, 9000, 128, "csum"},
        {"forcedeth", 1000, 9000, 256, "csum"},
        {"atl1c", 1000, 6000, 1024, "csum tso"},
        {"alx", 1000, 9000, 512, "csum"},
        {"be2net", 10000, 9000, 1024, "csum tso lro"},
        {"cxgb4", 40000, 9600, 1024, "csum tso lro"},
        {"enic", 10000, 9000, 512, "csum tso"},
        {"sfc", 10000, 9216, 1024, "csum tso gso"},
        {"nfp", 25000, 9216, 2048, "csum tso"},
        {"qede", 25000, 9600, 1024, "csum tso gso"},
        {"ena", 25000, 9216, 1024, "csum"},
        {"gve", 50000, 4000, 1024, "csum tso"},
        {"netvsc", 40000, 9000, 1024, "csum tso"},
        {"xen-netfront", 10000, 9000, 256, "csum tso"},
        {"veth", 10000, 9000, 256, "csum tso gso"},
        {"tun", 10000, 9000, 500, "csum tso gso"},
        {"macvtap", 10000, 9000, 500, "csum tso"},
        {"igc", 2500, 9216, 512, "csum tso"},
        {"e1000e", 1000, 9000, 256, "csum tso"},
        {"ixgbevf", 10000, 9216, 512, "csum tso"},
        {"iavf", 40000, 9216, 512, "csum tso gso"},
        {"hinic", 25000, 9600, 1024, "csum tso lro"},
        {"octeontx2", 100000, 9216, 1024, "csum tso"},
        {"bnxt", 25000, 9000, 511, "csum tso gso lro"},
        {"myri10ge", 10000, 9000, 512, "csum lro"},
        {"8139cp", 100, 1500, 64, "csum"},
        {"via-rhine", 100, 1500, 64, ""},
        {"tulip", 100, 1500, 32, ""},
        {"3c59x", 100, 1500, 32, ""},
        {"smsc911x", 100, 1500, 32, ""},
        {"stmmac", 1000, 9000, 512, "csum tso"},
        {"macb", 1000, 9216, 512, "csum tso"},
        {"fec", 1000, 1500, 512, "csum"},
        {"cpsw", 1000, 1500, 128, ""},
        {"mvneta", 1000, 9600, 128, "csum tso"},
        {"mvpp2", 10000, 9600, 1024, "csum tso"},
        {"ravb", 1000, 1500, 1024, "csum"},
        {"ag71xx", 1000, 1500, 128, ""},
        {"bcmgenet", 1000, 1500, 256, "csum"},
        {"dpaa2", 10000, 9600, 1024, "csum tso"},
        {"enetc", 2500, 9600, 512, "csum"},
        {"lan743x", 1000, 9000, 128, "csum tso"},
        {"ionic", 100000, 9216, 1024, "csum tso gso"},
        {"fbnic", 100000, 9216, 2048, "csum tso gso"},
        {"mana", 100000, 9000, 1024, "csum tso"},
    };
    return table;
}

const std::vector<DocSection> &docSections() {
    static const std::vector<DocSection> sections = {
        {"What netsim is",
         "netsim is a small simulator of a network card's transmit path. It exists to\nreproduce "
         "one class of bug: a transfer that stops after a while for no visible reason."},
        {"Running a stress test",
         "`netsim --stress N` sends N GiB of simulated traffic. A healthy build finishes\nin a "
         "fraction of a second per GiB."},
        {"Seeds", "Every run draws a fresh seed from the clock and the process id. `--seed N` "
                  "makes\na run repeatable."},
        {"Quiet runs", "`--quiet` leaves out the line printed after each GiB."},
        {"The descriptor ring",
         "The driver posts one descriptor per chunk. The ring is full when the device owns\nas "
         "many descriptors as the ring has."},
        {"Completions", "The device completes every descriptor at once and writes a completion "
                        "to the\nused ring."},
        {"Interrupts",
         "After writing a completion the device raises its interrupt, if it is enabled.\nReaping "
         "the ring re-enables it."},
        {"The race",
         "Now and then the device writes a completion while the driver re-arms the\ninterrupt; "
         "the device then stays silent until the driver reaps the ring again."},
        {"Polling",
         "When the ring is full the driver looks at the used ring itself. That is what\nkeeps a "
         "lost interrupt from stalling the transfer."},
        {"Checksums", "Each chunk header is checksummed; the final checksum depends only on the "
                      "amount\nof data, so two runs of the same size agree."},
        {"Profiles", "`--profile NAME` takes the ring size from a simulated card. "
                     "`--list-profiles`\nshows them all."},
        {"Chunk size", "Chunks are the unit of work. Bigger chunks mean fewer descriptors per "
                       "GiB and a\nfaster simulation."},
        {"Ring size",
         "A bigger ring hides latency but takes longer to fill: a stall shows up later."},
        {"Throughput", "The summary line gives the simulated throughput: bytes sent per second "
                       "of wall\ntime."},
        {"Exit status", "0 when the transfer completed, 2 for a usage error, 1 for anything "
                        "else. A hang\nnever exits: use a timeout."},
        {"Timeouts", "Run stress tests under `timeout 10 ./netsim --stress 10`; a healthy run "
                     "takes far\nless than a second."},
        {"Repeating", "One passing run proves little. Repeat it: `for i in $(seq 20); do timeout "
                      "2\n./netsim --stress 10 --quiet || break; done`."},
        {"Bisecting",
         "A hang that shows up one run in two is easy to bisect once each step repeats the\ntest "
         "enough times: twenty runs miss it once in a million."},
        {"Building with another compiler",
         "`make CC=clang` works; so does any C99 compiler with `clock_gettime`."},
        {"Static builds", "`make CC='cc -static'` gives a binary that runs in an initramfs."},
        {"Debugging a hang", "Attach gdb to the hung process: it sits in `nanosleep`, waiting for "
                             "an\ninterrupt."},
        {"Reading the code",
         "Start with transfer.c: one loop over GiB, one over chunks, and the ring calls."},
        {"ring.c", "The ring and the simulated device live together in ring.c."},
        {"main.c", "Option parsing and the summary line."},
        {"Portability", "netsim needs a POSIX system for `clock_gettime`, `nanosleep` and "
                        "`getpid`."},
        {"Performance",
         "On a laptop netsim simulates about 100 GiB/s of traffic; the checksum dominates."},
        {"Reporting bugs", "Give the version, the options, the seed if you set one, and what you "
                           "saw."},
        {"Release process", "Releases are tagged v0.N on main after a week without new features."},
        {"Coding style", "Plain C99, four spaces, braces on their own line for functions only."},
        {"Topic branches", "Features grow on topic branches and are merged with a merge commit."},
        {"Tests", "`make check` runs a four-GiB stress test; CI runs it twenty times."},
        {"Known issues", "None at the moment. If netsim hangs, it is a bug: please report it."},
    };
    return sections;
}

const std::vector<Typo> &readmeTypos() {
    static const std::vector<Typo> typos = {
        {"recieve", "receive"},    {"seperate", "separate"}, {"occured", "occurred"},
        {"wich", "which"},         {"accross", "across"},    {"definately", "definitely"},
        {"begining", "beginning"}, {"untill", "until"},
    };
    return typos;
}

const std::vector<Person> &contributors() {
    static const std::vector<Person> people = {
        {"Ada Lindqvist", "ada@netsim.example", 60},
        {"Bram Okafor", "bram@netsim.example", 0},
        {"Chen Wei", "chen.wei@netsim.example", 480},
        {"Dora Kov\xc3\xa1"
         "cs",
         "dora@netsim.example", 60},
        {"Emil Haddad", "emil@netsim.example", 120},
        {"Femi Adeyemi", "femi@netsim.example", 60},
    };
    return people;
}

} // namespace bw::demo
