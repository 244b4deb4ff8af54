# Notifications: desktop (QtDBus, org.freedesktop.Notifications) and the webhook (QtNetwork).
find_package(Qt6 REQUIRED COMPONENTS DBus)
target_sources(bw_services PRIVATE notify/Notifier.h notify/Notifier.cpp)
target_link_libraries(bw_services PRIVATE Qt6::DBus)
