# The embedded demo project (netsim, its history written with libgit2, its recipes).
target_sources(bw_services PRIVATE
  demo/DemoRepository.h demo/DemoRepository.cpp
  demo/DemoHistory.h demo/DemoHistory.cpp
  demo/DemoProject.h demo/DemoProject.cpp demo/DemoData.cpp
  demo/DemoRecipes.h demo/DemoRecipes.cpp
)
