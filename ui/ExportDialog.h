#pragma once

#include "services/report/ReportData.h"

#include <QDialog>
#include <QFuture>
#include <QFutureWatcher>
#include <QString>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTextBrowser;

namespace bw {

enum class ExportFormat { Markdown, Html, Pdf, Json, BisectLog };

// The outcome of an export: the file written, or why not.
struct ExportResult {
    QString path;
    QString error;
    [[nodiscard]] bool ok() const { return error.isEmpty(); }
};

namespace exporting {
// `text` with every path under `home` written as "~/…" (and `home` itself as "~"); a
// longer name that merely starts with `home` ("/home/ann" in "/home/anna") is left alone.
[[nodiscard]] QString redactHome(QString text, const QString &home);
// The same over every text of a report that can hold a path (for the PDF, which is not
// text the dialog can rewrite afterwards).
[[nodiscard]] report::ReportData redactHome(report::ReportData data, const QString &home);
// A text format of the report (everything but the PDF), already redacted when `redact`.
[[nodiscard]] QString renderText(const report::ReportData &data, ExportFormat format, bool redact,
                                 const QString &home);
[[nodiscard]] QString fileSuffix(ExportFormat format); // "md", "html", "pdf", "json", "log"
} // namespace exporting

// Exports a session's report: pick a format (Markdown, HTML, PDF, JSON, the `git bisect
// log`), see the preview change with the format and the options, save it or copy it.
// The report is collected, rendered and written off the GUI thread.
class ExportDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExportDialog(const QString &sessionDir, QWidget *parent = nullptr);
    ~ExportDialog() override;

    [[nodiscard]] QString sessionDir() const { return m_sessionDir; }
    void setFormat(ExportFormat format);
    [[nodiscard]] ExportFormat format() const;
    // "Redact paths under the home directory": $HOME becomes "~" in what is exported.
    void setRedactHome(bool redact);
    [[nodiscard]] bool redactHome() const;

    // True once the preview shows the current format and options.
    [[nodiscard]] bool isPreviewCurrent() const;
    // The text of the current preview (for the PDF: the Markdown it is rendered from).
    [[nodiscard]] QString previewText() const;
    // The collected report, once loaded (nullptr before, or when it could not be read).
    [[nodiscard]] std::shared_ptr<const report::ReportData> reportData() const { return m_data; }

    // Writes the current format with the current options to `path` (atomically), off the
    // GUI thread; the dialog shows the outcome and emits exported() or exportFailed().
    QFuture<ExportResult> exportTo(const QString &path);

signals:
    void reportLoaded(bool ok);
    void previewUpdated();
    void exported(const QString &path);
    void exportFailed(const QString &error);

private:
    struct Loaded {
        std::shared_ptr<const report::ReportData> data;
        QString error;
    };
    struct Preview {
        int generation = 0;
        QString text;
        QString error;
    };
    void loaded();
    void regenerate();
    void showPreview();
    void chooseFileAndSave();
    void copyToClipboard();
    void setStatus(const QString &text, bool error = false);

    QString m_sessionDir;
    std::shared_ptr<const report::ReportData> m_data;
    QFutureWatcher<Loaded> m_loadWatcher;
    QFutureWatcher<Preview> m_previewWatcher;
    int m_generation = 0;       // bumped on every change of format or options
    int m_shownGeneration = -1; // what the preview shows
    bool m_pendingRegenerate = false;
    QString m_previewText;

    QComboBox *m_format = nullptr;
    QCheckBox *m_redact = nullptr;
    QStackedWidget *m_previewStack = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QTextBrowser *m_rendered = nullptr;
    QLabel *m_note = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_copy = nullptr;
};

} // namespace bw
