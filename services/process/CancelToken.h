#pragma once

#include <atomic>
#include <memory>

namespace bw::process {

// A cancellation request shared between the thread that asks and the thread that
// works. cancel() is thread-safe and wakes a ProcessRunner blocked in poll() at once
// (through a pipe), so a cancelled step kills its process group without delay.
class CancelToken {
public:
    CancelToken();
    ~CancelToken();
    CancelToken(const CancelToken &) = delete;
    CancelToken &operator=(const CancelToken &) = delete;

    void cancel();
    [[nodiscard]] bool isCancelled() const { return m_cancelled.load(std::memory_order_acquire); }
    // A descriptor that becomes readable once cancel() was called (-1 when the pipe
    // could not be made; callers then poll isCancelled() at their timeout granularity).
    [[nodiscard]] int wakeFd() const { return m_pipe[0]; }

private:
    std::atomic<bool> m_cancelled{false};
    int m_pipe[2] = {-1, -1};
};

using CancelTokenPtr = std::shared_ptr<CancelToken>;

} // namespace bw::process
