# SPDX-License-Identifier: MIT
# Every scenario file (../shared/conformance and tests/scenarios) x every storage backend this build
# has, each one ctest test running `cqlite scenario`. Known differences and pending files are passed
# to the runner, which reports them separately (never as passed).
set(CQ_CONFORMANCE_DIR "${PROJECT_SOURCE_DIR}/../shared/conformance" CACHE PATH "The shared conformance vectors")
file(GLOB cq_scenarios CONFIGURE_DEPENDS
  ${CQ_CONFORMANCE_DIR}/expressions/*.json
  ${CQ_CONFORMANCE_DIR}/scenarios/*.json
  ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/*.json)
file(GLOB cq_shared_scenarios ${CQ_CONFORMANCE_DIR}/scenarios/*.json)
if(NOT cq_shared_scenarios)
  # Missing vectors must turn the run red, not shrink it silently to our own scenarios.
  message(WARNING "no conformance vectors found in ${CQ_CONFORMANCE_DIR}; set CQ_CONFORMANCE_DIR")
  add_test(NAME ${CQ_TEST_PREFIX}conformance.vectors_found
    COMMAND sh -c "echo 'no conformance vectors in ${CQ_CONFORMANCE_DIR}: check out ../shared next to this repository or configure with -DCQ_CONFORMANCE_DIR=...' >&2; exit 1")
endif()
set(cq_backends memory)
if(TARGET cq_storage_sqlite)
  list(APPEND cq_backends sqlite)
endif()
foreach(file ${cq_scenarios})
  get_filename_component(name ${file} NAME_WE)
  foreach(backend ${cq_backends})
    add_test(NAME ${CQ_TEST_PREFIX}conformance.${backend}.${name}
      COMMAND cqlite scenario --storage ${backend}
        --known ${CMAKE_CURRENT_SOURCE_DIR}/known-differences.json
        --pending ${CMAKE_CURRENT_SOURCE_DIR}/pending.txt
        ${file})
  endforeach()
endforeach()
