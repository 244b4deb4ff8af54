# libvirt: owned by the VM work. target_sources(bw_services PRIVATE ...)
target_sources(bw_services PRIVATE
  vm/VmError.h
  vm/LibvirtHandles.h vm/LibvirtHandles.cpp
  vm/LibvirtEventLoop.h vm/LibvirtEventLoop.cpp
  vm/LibvirtConnection.h vm/LibvirtConnection.cpp
  vm/DomainXml.h vm/DomainXml.cpp
  vm/ConsoleLineScanner.h vm/ConsoleLineScanner.cpp
  vm/ConsoleStream.h vm/ConsoleStream.cpp
  vm/VmDeployer.h vm/VmDeployer.cpp
)
