# SPDX-License-Identifier: MIT
# Shared build helpers. Header-only dependencies come through a folder of symlinks in the build tree,
# never -I/usr/include (that breaks emcc: toolchain-notes 1.1).
set(CQ_THIRD_PARTY_INCLUDE ${CMAKE_BINARY_DIR}/third_party/include)
file(MAKE_DIRECTORY ${CQ_THIRD_PARTY_INCLUDE})
foreach(dep nlohmann catch2 fast_float)
  if(NOT EXISTS ${CQ_THIRD_PARTY_INCLUDE}/${dep})
    if(NOT EXISTS /usr/include/${dep})
      message(FATAL_ERROR "/usr/include/${dep} is missing: run `npm test` (or scripts/setup.sh) to install it")
    endif()
    file(CREATE_LINK /usr/include/${dep} ${CQ_THIRD_PARTY_INCLUDE}/${dep} SYMBOLIC)
  endif()
endforeach()
add_library(cq_third_party INTERFACE)
target_include_directories(cq_third_party SYSTEM INTERFACE ${CQ_THIRD_PARTY_INCLUDE})

add_library(cq_options INTERFACE)
target_include_directories(cq_options INTERFACE ${PROJECT_SOURCE_DIR})
target_compile_options(cq_options INTERFACE -Wall -Wextra)
if(EMSCRIPTEN)
  target_compile_options(cq_options INTERFACE -fwasm-exceptions)
  target_link_options(cq_options INTERFACE -fwasm-exceptions)
endif()
if(CQ_SANITIZE)
  target_compile_options(cq_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(cq_options INTERFACE -fsanitize=address,undefined)
endif()
target_link_libraries(cq_options INTERFACE cq_third_party)

# cq_add_library(NAME DIR <folder> [DEPS ...]): a static library of every .cpp in <folder>
# (not recursive). Each folder of core/ is one library so a broken folder does not stop the others'
# unit tests from building.
function(cq_add_library name)
  cmake_parse_arguments(A "" "DIR" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${A_DIR}/*.cpp ${A_DIR}/*.c)
  add_library(${name} STATIC ${srcs})
  target_link_libraries(${name} PUBLIC cq_options ${A_DEPS})
endfunction()
