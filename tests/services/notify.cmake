# notifier tests
