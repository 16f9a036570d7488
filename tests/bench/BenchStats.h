// Small helpers for the benchmarks: timing samples and their summary.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace pidvisor::bench {

using Clock = std::chrono::steady_clock;

inline double millisSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Summary {
    double median = 0, p10 = 0, p90 = 0, min = 0;
};

inline Summary summarize(std::vector<double> samples)
{
    std::sort(samples.begin(), samples.end());
    auto at = [&](double q) { return samples[static_cast<std::size_t>(q * (samples.size() - 1))]; };
    return Summary{at(0.5), at(0.1), at(0.9), samples.front()};
}

inline void printRow(const std::string& what, const Summary& s)
{
    std::printf("  %-44s median %8.3f ms   p10 %8.3f   p90 %8.3f\n", what.c_str(), s.median, s.p10, s.p90);
}

} // namespace pidvisor::bench
