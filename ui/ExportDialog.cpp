#include "ui/ExportDialog.h"

#include "services/report/ReportCollector.h"
#include "services/report/ReportWriter.h"
#include "ui/UiLogging.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStackedWidget>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace bw {

namespace exporting {

QString redactHome(QString text, const QString &home) {
    const QString h = QDir::cleanPath(home);
    if (h.isEmpty() || h == u"/")
        return text;
    // The home directory itself or a path below it; not /home/anna for /home/ann.
    const QRegularExpression re(QRegularExpression::escape(h) + QStringLiteral("(?![\\w.@+-])"));
    return text.replace(re, QStringLiteral("~"));
}

report::ReportData redactHome(report::ReportData d, const QString &home) {
    auto r = [&home](QString &s) { s = redactHome(s, home); };
    r(d.title);
    r(d.repository);
    r(d.statusMessage);
    r(d.bisectLog);
    r(d.reproduceCommand);
    r(d.recipeToml);
    for (auto &[name, value] : d.environment)
        r(value);
    for (StepRecord &step : d.steps) {
        r(step.logDir);
        r(step.classification.reason);
        for (StageResult &stage : step.stages) {
            r(stage.message);
            for (auto it = stage.facts.begin(); it != stage.facts.end(); ++it)
                r(it.value());
        }
    }
    return d;
}

QString renderText(const report::ReportData &data, ExportFormat format, bool redact,
                   const QString &home) {
    const report::ReportData redacted = redact ? redactHome(data, home) : report::ReportData{};
    const report::ReportData &d = redact ? redacted : data;
    QString text;
    switch (format) {
    case ExportFormat::Markdown:
    case ExportFormat::Pdf: // previewed through its Markdown
        text = report::toMarkdown(d);
        break;
    case ExportFormat::Html:
        text = report::toHtml(d);
        break;
    case ExportFormat::Json:
        text = QString::fromUtf8(report::toJson(d));
        break;
    case ExportFormat::BisectLog:
        text = d.bisectLog;
        break;
    }
    // Whatever a writer added from elsewhere (an environment value, a rendered path).
    return redact ? redactHome(text, home) : text;
}

QString fileSuffix(ExportFormat format) {
    switch (format) {
    case ExportFormat::Markdown:
        return QStringLiteral("md");
    case ExportFormat::Html:
        return QStringLiteral("html");
    case ExportFormat::Pdf:
        return QStringLiteral("pdf");
    case ExportFormat::Json:
        return QStringLiteral("json");
    case ExportFormat::BisectLog:
        return QStringLiteral("log");
    }
    return QStringLiteral("txt");
}

} // namespace exporting

namespace {

ExportResult writeExport(const std::shared_ptr<const report::ReportData> &data, ExportFormat format,
                         bool redact, const QString &home, const QString &path) {
    if (!data)
        return {path, ExportDialog::tr("the report could not be collected")};
    if (format == ExportFormat::Pdf) {
        const Status s =
            report::writePdf(redact ? exporting::redactHome(*data, home) : *data, path);
        return s ? ExportResult{path, {}} : ExportResult{path, s.error().message()};
    }
    const QByteArray bytes = exporting::renderText(*data, format, redact, home).toUtf8();
    QSaveFile f(path);
    // A report is the user's to share: owner-only until they choose otherwise.
    if (!f.open(QIODevice::WriteOnly) ||
        !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        f.write(bytes) != bytes.size() || !f.commit())
        return {path, ExportDialog::tr("cannot write %1: %2").arg(path, f.errorString())};
    return {path, {}};
}

} // namespace

ExportDialog::ExportDialog(const QString &sessionDir, QWidget *parent)
    : QDialog(parent)
    , m_sessionDir(sessionDir) {
    setObjectName(QStringLiteral("exportDialog"));
    setWindowTitle(tr("Export Report — %1").arg(QFileInfo(sessionDir).fileName()));
    resize(860, 640);

    auto *layout = new QVBoxLayout(this);
    auto *options = new QHBoxLayout;
    auto *formatLabel = new QLabel(tr("&Format:"), this);
    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("formatCombo"));
    m_format->addItem(tr("Markdown (bug tracker, mailing list)"), int(ExportFormat::Markdown));
    m_format->addItem(tr("HTML (one self-contained page)"), int(ExportFormat::Html));
    m_format->addItem(tr("PDF"), int(ExportFormat::Pdf));
    m_format->addItem(tr("JSON (machine-readable)"), int(ExportFormat::Json));
    m_format->addItem(tr("git bisect log (for git bisect replay)"), int(ExportFormat::BisectLog));
    formatLabel->setBuddy(m_format);
    m_redact = new QCheckBox(tr("&Redact paths under the home directory"), this);
    m_redact->setObjectName(QStringLiteral("redactHome"));
    m_redact->setToolTip(tr("Writes %1 as ~ in the exported report.").arg(QDir::homePath()));
    options->addWidget(formatLabel);
    options->addWidget(m_format, 1);
    options->addSpacing(12);
    options->addWidget(m_redact);
    layout->addLayout(options);

    m_previewStack = new QStackedWidget(this);
    m_text = new QPlainTextEdit(m_previewStack);
    m_text->setObjectName(QStringLiteral("previewText"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_rendered = new QTextBrowser(m_previewStack);
    m_rendered->setObjectName(QStringLiteral("previewRendered"));
    m_rendered->setOpenLinks(false);
    // The PDF preview looks like paper in any theme: the PDF is printed black on white.
    QPalette paper = m_rendered->palette();
    for (auto group : {QPalette::Active, QPalette::Inactive, QPalette::Disabled}) {
        paper.setColor(group, QPalette::Base, Qt::white);
        paper.setColor(group, QPalette::Text, QColor(0x1f, 0x23, 0x28));
    }
    m_rendered->setPalette(paper);
    m_rendered->document()->setDocumentMargin(18);
    m_previewStack->addWidget(m_text);
    m_previewStack->addWidget(m_rendered);
    layout->addWidget(m_previewStack, 1);

    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("previewNote"));
    m_note->setWordWrap(true);
    m_note->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_note);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("exportStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_save = buttons->addButton(tr("&Save…"), QDialogButtonBox::ActionRole);
    m_save->setObjectName(QStringLiteral("saveButton"));
    m_copy = buttons->addButton(tr("&Copy to Clipboard"), QDialogButtonBox::ActionRole);
    m_copy->setObjectName(QStringLiteral("copyButton"));
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_status, 1);
    bottom->addWidget(buttons);
    layout->addLayout(bottom);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_save, &QPushButton::clicked, this, &ExportDialog::chooseFileAndSave);
    connect(m_copy, &QPushButton::clicked, this, &ExportDialog::copyToClipboard);
    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportDialog::regenerate);
    connect(m_redact, &QCheckBox::toggled, this, &ExportDialog::regenerate);
    connect(&m_loadWatcher, &QFutureWatcherBase::finished, this, &ExportDialog::loaded);
    connect(&m_previewWatcher, &QFutureWatcherBase::finished, this, &ExportDialog::showPreview);

    m_save->setEnabled(false);
    m_copy->setEnabled(false);
    m_text->setPlaceholderText(tr("Collecting the report…"));
    setStatus(tr("Collecting the report of %1…").arg(sessionDir));
    const QString version = QCoreApplication::applicationVersion();
    m_loadWatcher.setFuture(QtConcurrent::run([sessionDir, version] {
        auto data = report::collectReport(sessionDir, version);
        if (!data)
            return Loaded{nullptr, data.error().message()};
        return Loaded{std::make_shared<const report::ReportData>(std::move(data).value()), {}};
    }));
}

ExportDialog::~ExportDialog() {
    // The workers hold only their own copies; wait so none outlives the dialog's watchers.
    m_loadWatcher.waitForFinished();
    m_previewWatcher.waitForFinished();
}

void ExportDialog::setFormat(ExportFormat format) {
    m_format->setCurrentIndex(m_format->findData(int(format)));
}

ExportFormat ExportDialog::format() const {
    return ExportFormat(m_format->currentData().toInt());
}

void ExportDialog::setRedactHome(bool redact) {
    m_redact->setChecked(redact);
}

bool ExportDialog::redactHome() const {
    return m_redact->isChecked();
}

bool ExportDialog::isPreviewCurrent() const {
    return m_data && m_shownGeneration == m_generation;
}

QString ExportDialog::previewText() const {
    return m_previewText;
}

void ExportDialog::setStatus(const QString &text, bool error) {
    m_status->setText(text);
    // Only the text colour is set (a red that reads on light and dark windows alike); the
    // rest still follows the window's palette.
    QPalette pal;
    if (error)
        pal.setColor(QPalette::WindowText, QColor(0xd9, 0x3f, 0x3f));
    m_status->setPalette(pal);
    if (error)
        qCWarning(bwUi) << "export:" << text;
}

void ExportDialog::loaded() {
    const Loaded result = m_loadWatcher.result();
    if (!result.data) {
        m_text->setPlaceholderText(QString());
        m_text->setPlainText(tr("The report could not be collected:\n\n%1").arg(result.error));
        setStatus(result.error, true);
        emit reportLoaded(false);
        return;
    }
    m_data = result.data;
    setStatus(QString());
    emit reportLoaded(true);
    regenerate();
}

void ExportDialog::regenerate() {
    ++m_generation;
    if (!m_data)
        return;
    if (m_previewWatcher.isRunning()) {
        m_pendingRegenerate = true; // one render at a time; the newest settings win
        return;
    }
    m_pendingRegenerate = false;
    const int generation = m_generation;
    const ExportFormat fmt = format();
    const bool redact = redactHome();
    const QString home = QDir::homePath();
    m_previewWatcher.setFuture(QtConcurrent::run([data = m_data, fmt, redact, home, generation] {
        return Preview{generation, exporting::renderText(*data, fmt, redact, home), {}};
    }));
}

void ExportDialog::showPreview() {
    const Preview p = m_previewWatcher.result();
    if (m_pendingRegenerate || p.generation != m_generation) {
        regenerate();
        return;
    }
    m_previewText = p.text;
    const ExportFormat fmt = format();
    if (fmt == ExportFormat::Pdf) {
        // QtPdf is not part of this build, so the PDF's pages cannot be shown; its content
        // is the same report, rendered here from the Markdown.
        m_rendered->setMarkdown(p.text);
        m_previewStack->setCurrentWidget(m_rendered);
        m_note->setText(tr("The PDF holds this report on A4 pages, with the tested range and "
                           "the charts as pictures. (A page preview needs QtPdf, which this "
                           "build does not have.)"));
    } else {
        m_text->setPlainText(p.text.isEmpty() && fmt == ExportFormat::BisectLog
                                 ? tr("# This session has no git bisect log.")
                                 : p.text);
        m_previewStack->setCurrentWidget(m_text);
        switch (fmt) {
        case ExportFormat::Markdown:
            m_note->setText(tr("Paste-ready for a bug tracker or a mailing list; ends with the "
                               "regzbot line."));
            break;
        case ExportFormat::Html:
            m_note->setText(tr("One self-contained page (light and dark), with the tested "
                               "range and the charts as inline SVG."));
            break;
        case ExportFormat::Json:
            m_note->setText(tr("Schema: docs/report.schema.json."));
            break;
        case ExportFormat::BisectLog:
            m_note->setText(tr("Replays with git bisect replay FILE, or bisect-workbench replay "
                               "FILE."));
            break;
        case ExportFormat::Pdf:
            break;
        }
    }
    m_shownGeneration = p.generation;
    m_save->setEnabled(true);
    m_copy->setEnabled(fmt != ExportFormat::Pdf);
    emit previewUpdated();
}

QFuture<ExportResult> ExportDialog::exportTo(const QString &path) {
    const ExportFormat fmt = format();
    const bool redact = redactHome();
    const QString home = QDir::homePath();
    setStatus(tr("Writing %1…").arg(path));
    auto run = [fmt, redact, home, path](const std::shared_ptr<const report::ReportData> &data) {
        return writeExport(data, fmt, redact, home, path);
    };
    QFuture<ExportResult> future =
        m_data ? QtConcurrent::run(run, m_data)
               : m_loadWatcher.future().then(QtFuture::Launch::Async,
                                             [run](const Loaded &l) { return run(l.data); });
    future.then(this, [this](const ExportResult &r) {
        if (r.ok()) {
            setStatus(tr("Saved %1").arg(r.path));
            emit exported(r.path);
        } else {
            setStatus(r.error, true);
            emit exportFailed(r.error);
        }
    });
    return future;
}

void ExportDialog::chooseFileAndSave() {
    const ExportFormat fmt = format();
    const QString suffix = exporting::fileSuffix(fmt);
    const QString name = QFileInfo(m_sessionDir).fileName() + u'.' + suffix;
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export Report"), QDir::home().filePath(name),
                                     tr("%1 files (*.%2);;All files (*)")
                                         .arg(m_format->currentText().section(u' ', 0, 0), suffix));
    if (!path.isEmpty())
        exportTo(path);
}

void ExportDialog::copyToClipboard() {
    if (m_previewText.isEmpty() || format() == ExportFormat::Pdf)
        return;
    QApplication::clipboard()->setText(m_previewText);
    setStatus(tr("Copied to the clipboard."));
}

} // namespace bw
