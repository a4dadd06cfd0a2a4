# SPDX-License-Identifier: MIT
# Everything the WebAssembly build (Emscripten 3.1.6, Debian) needs beyond cmake/cqlite.cmake, applied
# through targets, never through global flag strings. Included by the top-level CMakeLists.txt in every
# build: natively the helper functions are no-ops, so callers need no if(EMSCRIPTEN).
#
#   cq_wasm_node_executable(<target> [QUICK_LINK])  an executable ctest runs under Node (tests, CLI)
#   cq_wasm_module(<target> EXPORTS_FROM <file>)  the ES module library (cqlite.mjs + cqlite.wasm)
#
# Configure the wasm tree with
#   emcmake cmake -S . -B build/wasm -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node -DCQ_TEST_PREFIX=wasm.
# (scripts/build.sh does this). Pitfalls handled here are numbered as in toolchain-notes.md.

set(CQ_NODE_NOFETCH_PREJS ${CMAKE_CURRENT_LIST_DIR}/node-nofetch.pre.js)
set(CQ_NODE_SHIM_PREJS ${CMAKE_CURRENT_LIST_DIR}/node-shim.pre.js)

if(EMSCRIPTEN)
  find_program(CQ_NODE_EXECUTABLE NAMES node nodejs REQUIRED)

  # Pitfall 4: emcmake 3.1.6 sets the emulator to "node;--experimental-wasm-threads", which Node 20
  # rejects ("bad option"), so every wasm test would fail. Keep only the node binary. Targets copy the
  # variable into their CROSSCOMPILING_EMULATOR property when created, so this must run before them.
  set(cq_emulator "")
  foreach(arg IN LISTS CMAKE_CROSSCOMPILING_EMULATOR)
    if(NOT arg MATCHES "^--experimental-wasm")
      list(APPEND cq_emulator "${arg}")
    endif()
  endforeach()
  if(NOT cq_emulator)
    set(cq_emulator ${CQ_NODE_EXECUTABLE})
  endif()
  if(NOT "${cq_emulator}" STREQUAL "${CMAKE_CROSSCOMPILING_EMULATOR}")
    message(STATUS "cqlite: dropping Node-20-incompatible flags from the emulator: ${cq_emulator}")
    set(CMAKE_CROSSCOMPILING_EMULATOR "${cq_emulator}" CACHE STRING "Runs wasm executables (ctest)" FORCE)
  endif()

  # toolchain-notes 1.1: emcc's JS optimizer needs acorn from Debian's node modules at any link of -O1
  # or more. A linker launcher sets NODE_PATH so a bare `cmake --build build/wasm` works too.
  foreach(lang C CXX)
    set(CMAKE_${lang}_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
  endforeach()

  # The repository's package.json says "type": "module", and Node applies it to every .js below it,
  # including this build tree: the CommonJS glue of the test executables then dies with "__dirname is
  # not defined in ES module scope". A package.json at the top of the build tree scopes that back.
  file(WRITE ${CMAKE_BINARY_DIR}/package.json "{ \"type\": \"commonjs\" }\n")

  # Node executables: non-modular glue, run as `node x.js args` by ctest. NODERAWFS gives them the real
  # file system (scenario files, --query/--changes paths) and the real working directory.
  add_library(cq_wasm_node INTERFACE)
  target_link_options(cq_wasm_node INTERFACE
    -fwasm-exceptions -sENVIRONMENT=node -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1 -sNODERAWFS=1
    "SHELL:--pre-js ${CQ_NODE_NOFETCH_PREJS}")
endif()

# QUICK_LINK: link at -O1 (the code is still compiled at -O3). wasm-opt at -O3 costs about 16 s of CPU
# per test executable (a unit test: 18.5 s at -O3, 2.5 s at -O1) for little gain in a short test.
function(cq_wasm_node_executable target)
  cmake_parse_arguments(A "QUICK_LINK" "" "" ${ARGN})
  if(EMSCRIPTEN)
    target_link_libraries(${target} PRIVATE cq_wasm_node)
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${CQ_NODE_NOFETCH_PREJS})
    if(A_QUICK_LINK)
      target_link_options(${target} PRIVATE -O1)  # after CMAKE_CXX_FLAGS_<CONFIG>: emcc takes the last -O
    endif()
  endif()
endfunction()

# cq_wasm_module(<target> EXPORTS_FROM <file> [OUTPUT_NAME <name>]): link <target> (an executable
# target without main) as the ES module loaded by the TypeScript package, in Node >= 20.16, a page and
# workers alike (toolchain-notes 1.8). Exported C functions: every `cq_*` function declared or defined
# at file scope (unindented, not static) in <file>; wasm/exports.txt (one name a line) overrides that.
function(cq_wasm_module target)
  if(NOT EMSCRIPTEN)
    return()
  endif()
  cmake_parse_arguments(A "" "EXPORTS_FROM;OUTPUT_NAME" "" ${ARGN})
  if(NOT A_OUTPUT_NAME)
    set(A_OUTPUT_NAME ${target})
  endif()
  set(list_file ${CMAKE_CURRENT_SOURCE_DIR}/exports.txt)
  set(names "")
  if(EXISTS ${list_file})
    file(STRINGS ${list_file} names REGEX "^[A-Za-z_][A-Za-z0-9_]*$")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${list_file})
  else()
    file(STRINGS ${A_EXPORTS_FROM} lines REGEX "^[A-Za-z_].*[ *&]cq_[A-Za-z0-9_]+ *\\(")
    foreach(line IN LISTS lines)
      if(line MATCHES "^static " OR line MATCHES "^#")
        continue()
      endif()
      string(REGEX MATCH "cq_[A-Za-z0-9_]+ *\\(" fn "${line}")
      string(REGEX REPLACE " *\\($" "" fn "${fn}")
      list(APPEND names ${fn})
    endforeach()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${A_EXPORTS_FROM})
  endif()
  list(REMOVE_DUPLICATES names)
  list(APPEND names malloc free)
  list(TRANSFORM names PREPEND "_")
  list(JOIN names "," exported)
  message(STATUS "cqlite: ${target} exports ${exported}")
  target_link_options(${target} PRIVATE
    -fwasm-exceptions -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createCqliteModule
    -sALLOW_MEMORY_GROWTH=1 -sEXPORTED_FUNCTIONS=${exported}
    -sEXPORTED_RUNTIME_METHODS=cwrap,ccall,UTF8ToString,stringToUTF8,lengthBytesUTF8,getValue,setValue,FS
    "SHELL:--pre-js ${CQ_NODE_SHIM_PREJS}")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${CQ_NODE_SHIM_PREJS})
  set_target_properties(${target} PROPERTIES SUFFIX ".mjs" OUTPUT_NAME ${A_OUTPUT_NAME}
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/module)
endfunction()
