#include <QTest>

class Test_sessionstore : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(Test_sessionstore)
#include "tst_sessionstore.moc"
