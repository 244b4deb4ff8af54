# FlakyEngine: Bayesian bisection for intermittent failures (issue 10).
target_sources(bw_models PRIVATE FlakyRange.h FlakyRange.cpp FlakyEngine.h FlakyEngine.cpp)
