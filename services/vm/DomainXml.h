#pragma once

#include "models/Result.h"

#include <QMap>
#include <QString>

#include <vector>

namespace bw::vm {

// Text edits of libvirt domain XML. Every value that goes in is XML-escaped, so a kernel
// command line such as `console=ttyS0 </cmdline><evil/>` stays one text node. Edits
// splice the document: everything they do not touch (comments, namespaces such as
// <qemu:commandline>, formatting) is kept byte for byte. A malformed document is an
// infrastructure error (VmError.h) naming the line and column.
class DomainXml {
public:
    // & < > " ' as entities; valid in text and in attribute values.
    [[nodiscard]] static QString escape(const QString &value);

    // A domain XML template (RECIPE.md [deploy] xml): each `${name}` becomes the escaped
    // value of `variables[name]`; `$${` is a literal `${`. An unknown or unterminated
    // reference is an error naming it. The result is checked with check().
    [[nodiscard]] static Result<QString> render(const QString &templateText,
                                                const QMap<QString, QString> &variables);

    // Well-formed, with a <domain> root element.
    [[nodiscard]] static Status check(const QString &xml);

    [[nodiscard]] static Result<QString> name(const QString &xml);
    // Sets <name> (inserted first in <domain> when missing).
    [[nodiscard]] static Result<QString> setName(const QString &xml, const QString &name);
    // Removes <uuid>, so libvirt makes a new one (a template used for several domains).
    [[nodiscard]] static Result<QString> removeUuid(const QString &xml);

    struct DirectBoot {
        QString kernel;
        QString initrd;
        QString cmdline;
        friend bool operator==(const DirectBoot &, const DirectBoot &) = default;
    };
    [[nodiscard]] static Result<DirectBoot> directBoot(const QString &xml);
    // Points <os><kernel>/<initrd>/<cmdline> at a new build. An empty initrd or cmdline
    // removes that element; the kernel must not be empty. Needs an <os> element.
    [[nodiscard]] static Result<QString> setDirectBoot(const QString &xml, const DirectBoot &boot);

    struct Disk {
        QString type;   // <disk type=…>: file, block, …
        QString device; // disk, cdrom, …
        QString source; // <source file=…> (or dev=… for block disks)
        QString format; // <driver type=…>
        QString target; // <target dev=…>: vda, sda, …
    };
    [[nodiscard]] static Result<std::vector<Disk>> disks(const QString &xml);
    // The disk whose source is `match` (or whose target dev is `match`) gets `source` as its
    // <source file> and, when `format` is not empty, `format` as its <driver type>. An error
    // when no disk matches.
    [[nodiscard]] static Result<QString> setDiskSource(const QString &xml, const QString &match,
                                                       const QString &source,
                                                       const QString &format);
};

} // namespace bw::vm
