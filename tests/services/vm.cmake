# VM tests
