#include <QTest>

class Test_reportwriter : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(Test_reportwriter)
#include "tst_reportwriter.moc"
