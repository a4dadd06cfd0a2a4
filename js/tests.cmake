# SPDX-License-Identifier: MIT
# ctest tests of the npm package (owner: wasmjs), registered in the wasm tree (included by
# wasm/CMakeLists.txt). They run what `scripts/build.sh js` put into dist/ (scripts/test.sh builds it
# before ctest), from the repository root, as a user would.
if(NOT CQ_BUILD_TESTS)
  return()
endif()
find_program(CQ_NPX_EXECUTABLE npx)
set(cq_js_root ${PROJECT_SOURCE_DIR})
set(cq_js_conformance_dir "${PROJECT_SOURCE_DIR}/../shared/conformance")
file(GLOB cq_js_scenarios CONFIGURE_DEPENDS
  ${cq_js_conformance_dir}/expressions/*.json
  ${cq_js_conformance_dir}/scenarios/*.json
  ${PROJECT_SOURCE_DIR}/tests/scenarios/*.json)

# The whole conformance corpus through `npx cqlite scenario` (the JS CLI over the wasm module), one
# test per backend: the same output contract and lists as the native runner.
if(CQ_NPX_EXECUTABLE AND cq_js_scenarios)
  foreach(backend memory sqlite)
    if(backend STREQUAL "sqlite" AND NOT TARGET cq_storage_sqlite)
      continue()
    endif()
    add_test(NAME ${CQ_TEST_PREFIX}js.conformance.${backend}
      COMMAND ${CQ_NPX_EXECUTABLE} --no-install cqlite scenario --storage ${backend}
        --known ${PROJECT_SOURCE_DIR}/tests/known-differences.json
        --pending ${PROJECT_SOURCE_DIR}/tests/pending.txt
        ${cq_js_scenarios}
      WORKING_DIRECTORY ${cq_js_root})
  endforeach()
endif()

# API tests (node --test), including the edge worker and the OPFS pool over fs-backed handles.
file(GLOB cq_js_api_tests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/js/test/*.test.mjs)
if(cq_js_api_tests)
  add_test(NAME ${CQ_TEST_PREFIX}js.api COMMAND ${CQ_NODE_EXECUTABLE} --test ${cq_js_api_tests}
    WORKING_DIRECTORY ${cq_js_root})
endif()

# Run serially (they start Chromium, or npm and esbuild), with room for a loaded machine:
#   pack:    npm pack, install into a fresh project, a Node script and bundled pages in headless Chromium;
#   browser: a dedicated worker with OPFS (conformance subset, reload, restart, second tab, quota).
foreach(t pack browser)
  add_test(NAME ${CQ_TEST_PREFIX}js.${t} COMMAND ${CQ_NODE_EXECUTABLE} js/test/${t}/${t}_test.mjs
    WORKING_DIRECTORY ${cq_js_root})
  set_tests_properties(${CQ_TEST_PREFIX}js.${t} PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE)
endforeach()

# The Node benchmark's correctness checks at a tiny size (cqlite and TanStack against the model and
# against each other); it never asserts speed.
add_test(NAME ${CQ_TEST_PREFIX}js.bench_smoke COMMAND ${CQ_NODE_EXECUTABLE} bench/js/bench.mjs --smoke --no-native
  WORKING_DIRECTORY ${cq_js_root})
