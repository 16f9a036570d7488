#include "FirstRunPage.h"

#include "backend/Backend.h"
#include "backend/OperationRunner.h"
#include "backend/SnapshotQueries.h"
#include "backend/VmOperations.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace pidvisor::gui {

namespace {

QString mark(FirstRunPage::Level level)
{
    switch (level) {
    case FirstRunPage::Level::Ok: return "✔";
    case FirstRunPage::Level::Warning: return "⚠";
    case FirstRunPage::Level::Problem: return "✖";
    }
    return {};
}

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace

FirstRunPage::FirstRunPage(Backend* backend, OperationRunner* runner, QWidget* parent)
    : QWidget(parent), m_backend(backend), m_runner(runner)
{
    setObjectName("firstRun");
    auto* title = new QLabel("<h2>Welcome to Pidvisor</h2>");
    auto* intro = new QLabel("The inventory has no VM yet. Pidvisor checks this machine, builds the guest image "
                             "(the container kernel is compiled the first time, which takes a while) and can "
                             "create a first VM with a first container in it.");
    intro->setWordWrap(true);
    auto* grid = new QGridLayout;
    grid->setColumnStretch(2, 1);
    setLayout(new QVBoxLayout);
    layout()->addWidget(title);
    layout()->addWidget(intro);
    static_cast<QVBoxLayout*>(layout())->addLayout(grid);
    addCheck("libvirt", "libvirt");
    addCheck("accel", "Acceleration");
    addCheck("disk", "Disk space");
    addCheck("image", "Guest image");
    int row = 0;
    for (const char* check : {"libvirt", "accel", "disk", "image"}) {
        QLabel* text = m_checks.at(check).first;
        grid->addWidget(new QLabel("<b>" + text->property("title").toString() + "</b>"), row, 0);
        grid->addWidget(text, row++, 1, 1, 2);
    }
    m_progress = new QProgressBar;
    m_progress->setObjectName("buildProgress");
    m_progress->setRange(0, 100);
    m_progress->hide();
    m_status = new QLabel;
    m_status->setObjectName("status");
    m_status->setWordWrap(true);
    m_build = new QPushButton("Build the guest image");
    m_build->setObjectName("build");
    m_create = new QPushButton("Create a first VM and container");
    m_create->setObjectName("createFirst");
    m_skip = new QPushButton("Skip");
    m_skip->setObjectName("skip");
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_build);
    buttons->addWidget(m_create);
    buttons->addStretch(1);
    buttons->addWidget(m_skip);
    layout()->addWidget(m_progress);
    layout()->addWidget(m_status);
    static_cast<QVBoxLayout*>(layout())->addLayout(buttons);
    static_cast<QVBoxLayout*>(layout())->addStretch(1);
    connect(m_build, &QPushButton::clicked, this, &FirstRunPage::build);
    connect(m_create, &QPushButton::clicked, this, &FirstRunPage::createFirst);
    connect(m_skip, &QPushButton::clicked, this, &FirstRunPage::skipped);
    connect(m_runner->model(), &QAbstractItemModel::dataChanged, this, &FirstRunPage::onOperationsChanged);
    connect(m_runner, &OperationRunner::finished, this, [this] { updateButtons(); });
    if (m_backend)
        connect(m_backend, &Backend::systemChecked, this, &FirstRunPage::showReport);
    for (const char* check : {"accel", "disk", "image"})
        setCheck(check, Level::Warning, m_backend ? "checking…" : "not checked: no backend");
    showLibvirt();
    updateButtons();
}

void FirstRunPage::addCheck(const QString& check, const QString& title)
{
    auto* text = new QLabel;
    text->setObjectName("check." + check);
    text->setProperty("title", title);
    text->setWordWrap(true);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_checks[check] = {text, Level::Warning};
}

void FirstRunPage::setCheck(const QString& check, Level level, const QString& text)
{
    auto& [label, stored] = m_checks.at(check);
    stored = level;
    label->setText(mark(level) + "  " + text);
}

QString FirstRunPage::checkText(const QString& check) const
{
    auto it = m_checks.find(check);
    return it == m_checks.end() ? QString() : it->second.first->text().mid(3);
}

FirstRunPage::Level FirstRunPage::checkLevel(const QString& check) const
{
    auto it = m_checks.find(check);
    return it == m_checks.end() ? Level::Problem : it->second.second;
}

void FirstRunPage::recheck()
{
    // Before the first snapshot the backend has not started.
    if (!m_backend || !m_snapshot)
        return;
    QMetaObject::invokeMethod(m_backend, &Backend::checkSystem);
}

void FirstRunPage::setSnapshot(const SnapshotPtr& snapshot)
{
    m_snapshot = snapshot;
    showLibvirt();
    updateButtons();
}

void FirstRunPage::showReport(const FirstRunReport& report)
{
    m_reported = true;
    setCheck("accel", report.system.accel.level, qs(report.system.accel.text));
    setCheck("disk", report.system.disk.level, qs(report.system.disk.text));
    m_buildPossible = report.system.build.level != Level::Problem;
    const OperationEntry* building = m_buildId ? m_runner->model()->find(m_buildId) : nullptr;
    if (building && building->state == OperationEntry::State::Running) {
        // the build's own progress says more
    } else if (report.image) {
        m_imageReady = true;
        setCheck("image", Level::Ok,
                 QString("built: %1 (kernel %2) in %3")
                     .arg(qs(report.image->id.substr(0, 12)), qs(report.image->kernelRelease), qs(report.image->path)));
        m_build->setText("Check the guest image again");
    } else if (m_imageReady) {
        // built by this page a moment ago: its summary stays
    } else if (!m_buildPossible) {
        setCheck("image", Level::Problem, "cannot be built here: " + qs(report.system.build.text));
    } else {
        setCheck("image", Level::Warning, "none recorded yet (Build finds one in the cache if it was built before); " +
                                              qs(report.system.build.text));
    }
    updateButtons();
}

void FirstRunPage::showLibvirt()
{
    if (!m_snapshot || m_snapshot->hosts.empty()) {
        setCheck("libvirt", Level::Problem,
                 m_snapshot ? "no connection: add one with File > Add connection" : "reading the inventory…");
        return;
    }
    QStringList connecting, failed;
    for (const auto& h : m_snapshot->hosts) {
        QString uri = qs(h.record.uri);
        if (h.link == HostInfo::Link::Connected) {
            setCheck("libvirt", Level::Ok,
                     QString("connected to %1 (libvirt %2, %3)")
                         .arg(uri, qs(h.libvirtVersion), qs(h.hypervisorVersion)));
            return;
        }
        if (h.link == HostInfo::Link::Connecting)
            connecting << uri;
        else
            failed << uri + ": " + (h.error.empty() ? QString("offline") : qs(h.error));
    }
    if (!connecting.isEmpty())
        setCheck("libvirt", Level::Warning, "connecting to " + connecting.join(", ") + "…");
    else
        setCheck("libvirt", Level::Problem, "not reachable: " + failed.join("; "));
}

QString FirstRunPage::targetHost() const
{
    QString chosen;
    if (m_snapshot)
        for (const auto& h : m_snapshot->hosts)
            if (h.link == HostInfo::Link::Connected && (chosen.isEmpty() || h.record.uri == "qemu:///system"))
                chosen = qs(h.record.uri);
    return chosen;
}

QString FirstRunPage::firstVmName(const QString& uri) const
{
    for (int n = 1;; ++n) {
        QString name = n == 1 ? QString("first") : QString("first-%1").arg(n);
        if (!m_snapshot || !findVm(*m_snapshot, uri.toStdString(), name.toStdString()))
            return name;
    }
}

void FirstRunPage::build()
{
    if (!m_backend)
        return;
    OperationSpec spec = ops::buildFirstImage(QString::fromStdString(m_backend->options().dbPath));
    spec.onSuccess = [this](const OperationResult& r) {
        m_imageReady = true;
        m_progress->setValue(100);
        setCheck("image", Level::Ok, "ready: " + r.summary);
        m_status->setText("The guest image is ready.");
        updateButtons();
    };
    spec.onFailure = [this](const Error& e) {
        m_progress->hide();
        setCheck("image", Level::Problem, "the build failed: " + qs(e.message));
        m_status->clear();
        updateButtons();
    };
    m_progress->setValue(0);
    m_progress->show();
    m_status->setText("Building (or finding in the cache) the container kernel and the guest image…");
    m_buildId = m_runner->submit(std::move(spec));
    updateButtons();
}

void FirstRunPage::createFirst()
{
    QString uri = targetHost();
    if (uri.isEmpty())
        return;
    QString name = firstVmName(uri);
    OperationSpec spec = ops::createVm(uri, ops::firstVmOptions(name));
    OperationRunner* runner = m_runner;
    spec.onSuccess = [runner, uri, name](const OperationResult&) {
        (void)runner->submit(ops::createContainer(uri, name, ops::firstContainerSpec()));
    };
    m_status->setText(QString("Creating VM '%1' on %2, then container '%3' in it: see Operations below.")
                          .arg(name, uri, QString::fromStdString(ops::firstContainerSpec().name)));
    m_createId = m_runner->submit(std::move(spec));
    updateButtons();
}

void FirstRunPage::onOperationsChanged()
{
    const OperationEntry* e = m_buildId ? m_runner->model()->find(m_buildId) : nullptr;
    if (!e || e->state != OperationEntry::State::Running)
        return;
    if (e->percent >= 0)
        m_progress->setValue(e->percent);
    QString stage = e->detail.isEmpty() ? e->stage : e->stage + ": " + e->detail;
    setCheck("image", Level::Warning, stage.isEmpty() ? QString("building…") : stage);
}

void FirstRunPage::updateButtons()
{
    auto running = [this](int id) {
        const OperationEntry* e = id ? m_runner->model()->find(id) : nullptr;
        return e && e->state == OperationEntry::State::Running;
    };
    m_build->setEnabled(m_backend && m_reported && m_buildPossible && !running(m_buildId));
    m_create->setEnabled(m_imageReady && !targetHost().isEmpty() && !running(m_buildId) && !running(m_createId));
    if (!m_create->isEnabled())
        m_create->setToolTip(m_imageReady ? "Needs a connected libvirt host" : "Build the guest image first");
    else
        m_create->setToolTip({});
}

} // namespace pidvisor::gui
