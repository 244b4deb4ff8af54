#include "services/process/CancelToken.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace bw::process {

CancelToken::CancelToken() {
    // Both ends non-blocking: cancel() must never block, and the read end is only
    // polled, never drained, so it stays readable for every runner sharing the token.
    if (::pipe2(m_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        m_pipe[0] = -1;
        m_pipe[1] = -1;
    }
}

CancelToken::~CancelToken() {
    for (int fd : m_pipe)
        if (fd >= 0)
            ::close(fd);
}

void CancelToken::cancel() {
    if (m_cancelled.exchange(true, std::memory_order_acq_rel))
        return; // the wake-up byte is already there
    if (m_pipe[1] < 0)
        return;
    const char byte = 1;
    ssize_t n;
    do {
        n = ::write(m_pipe[1], &byte, 1);
    } while (n < 0 && errno == EINTR);
    // EAGAIN cannot happen with one byte in an empty pipe; any other failure leaves the
    // flag set, which runners also check.
}

} // namespace bw::process
