# libssh: sessions with known_hosts checks, remote commands, uploads, wait-for-ssh.
target_sources(bw_services PRIVATE
  ssh/SshSession.h ssh/SshSession.cpp ssh/SshHandles.h ssh/SshHandles.cpp
  ssh/RemoteCommand.h ssh/RemoteCommand.cpp
  ssh/FileTransfer.h ssh/FileTransfer.cpp ssh/SftpPrivate.h
  ssh/WaitForSsh.h ssh/WaitForSsh.cpp
)
