#include "ChartsView.h"

#include "models/Format.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>

namespace pidvisor::gui {

namespace {

QChartView* makeView(const QString& title)
{
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto* view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(160);
    return view;
}

void clear(QChart* chart)
{
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes())
        chart->removeAxis(axis), delete axis;
}

} // namespace

ChartsView::ChartsView(QWidget* parent) : QWidget(parent)
{
    m_checkpoints = makeView("Checkpoints: size and duration");
    m_boots = makeView("Boot to ready (most recent VMs)");
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_checkpoints, 1);
    layout->addWidget(m_boots, 1);
}

QChart* ChartsView::checkpointChart() const
{
    return m_checkpoints->chart();
}

QChart* ChartsView::bootChart() const
{
    return m_boots->chart();
}

void ChartsView::setSnapshot(const SnapshotPtr& snapshot)
{
    if (!snapshot)
        return;
    drawCheckpoints(*snapshot);
    drawBoots(*snapshot);
}

void ChartsView::drawCheckpoints(const InventorySnapshot& s)
{
    QString key;
    for (const auto& c : s.checkpoints)
        key += QString::fromStdString(c.id) + QString::number(c.sizeBytes) + QString::number(c.durations.total().value_or(-1));
    if (key == m_checkpointKey)
        return;
    m_checkpointKey = key;
    QChart* chart = m_checkpoints->chart();
    clear(chart);
    auto* sizes = new QScatterSeries;
    sizes->setName("size (MiB)");
    sizes->setMarkerSize(9);
    auto* durations = new QLineSeries;
    durations->setName("duration (s)");
    std::vector<const manager::CheckpointRecord*> ordered;
    for (const auto& c : s.checkpoints)
        ordered.push_back(&c);
    std::sort(ordered.begin(), ordered.end(), [](auto* a, auto* b) { return a->createdAt < b->createdAt; });
    double maxSize = 1, maxSeconds = 1;
    for (const auto* c : ordered) {
        double mib = static_cast<double>(c->sizeBytes) / (1 << 20);
        sizes->append(static_cast<double>(c->createdAt), mib);
        maxSize = std::max(maxSize, mib);
        if (auto ms = c->durations.total()) {
            durations->append(static_cast<double>(c->createdAt), static_cast<double>(*ms) / 1000.0);
            maxSeconds = std::max(maxSeconds, static_cast<double>(*ms) / 1000.0);
        }
    }
    m_checkpointPoints = static_cast<int>(ordered.size());
    chart->addSeries(sizes);
    chart->addSeries(durations);
    auto* time = new QDateTimeAxis;
    time->setFormat("MM-dd HH:mm");
    time->setTickCount(5);
    if (!ordered.empty()) {
        qint64 first = ordered.front()->createdAt, last = ordered.back()->createdAt;
        qint64 pad = std::max<qint64>((last - first) / 20, 60000);
        time->setRange(QDateTime::fromMSecsSinceEpoch(first - pad), QDateTime::fromMSecsSinceEpoch(last + pad));
    }
    auto* sizeAxis = new QValueAxis;
    sizeAxis->setTitleText("MiB");
    sizeAxis->setRange(0, maxSize * 1.15);
    auto* secondsAxis = new QValueAxis;
    secondsAxis->setTitleText("s");
    secondsAxis->setRange(0, maxSeconds * 1.15);
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(sizeAxis, Qt::AlignLeft);
    chart->addAxis(secondsAxis, Qt::AlignRight);
    sizes->attachAxis(time);
    sizes->attachAxis(sizeAxis);
    durations->attachAxis(time);
    durations->attachAxis(secondsAxis);
}

void ChartsView::drawBoots(const InventorySnapshot& s)
{
    std::vector<const manager::VmRecord*> vms;
    for (const auto& h : s.hosts)
        for (const auto& v : h.vms)
            if (v.record.bootToReadyMs)
                vms.push_back(&v.record);
    std::sort(vms.begin(), vms.end(), [](auto* a, auto* b) { return a->createdAt > b->createdAt; });
    if (vms.size() > static_cast<std::size_t>(kMaxVms))
        vms.resize(kMaxVms);
    std::reverse(vms.begin(), vms.end()); // newest at the top of the bars
    QString key;
    for (const auto* v : vms)
        key += QString::fromStdString(v->name) + QString::number(*v->bootToReadyMs);
    if (key == m_bootKey)
        return;
    m_bootKey = key;
    QChart* chart = m_boots->chart();
    clear(chart);
    auto* set = new QBarSet("seconds to a ready agent");
    set->setColor(QColor(0x4a, 0x90, 0xd9));
    QStringList names;
    double max = 1;
    for (const auto* v : vms) {
        double seconds = static_cast<double>(*v->bootToReadyMs) / 1000.0;
        *set << seconds;
        max = std::max(max, seconds);
        names << QString::fromStdString(v->name);
    }
    m_vmBars = static_cast<int>(vms.size());
    auto* series = new QHorizontalBarSeries;
    series->append(set);
    series->setLabelsVisible(true);
    series->setLabelsFormat("@value s");
    chart->addSeries(series);
    auto* categories = new QBarCategoryAxis;
    categories->append(names);
    QFont small = categories->labelsFont();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    categories->setLabelsFont(small);
    categories->setTruncateLabels(false);
    auto* values = new QValueAxis;
    values->setRange(0, max * 1.2);
    values->setLabelFormat("%.0f s");
    chart->addAxis(categories, Qt::AlignLeft);
    chart->addAxis(values, Qt::AlignBottom);
    series->attachAxis(categories);
    series->attachAxis(values);
}

} // namespace pidvisor::gui
