# SPDX-License-Identifier: MIT
# Every scenario file (../shared/conformance and tests/scenarios) x every storage backend this build
# has, each one ctest test running `cqlite scenario`. Known differences and pending files are passed
# to the runner, which reports them separately (never as passed).
set(CQ_CONFORMANCE_DIR "${PROJECT_SOURCE_DIR}/../shared/conformance" CACHE PATH "The shared conformance vectors")
file(GLOB cq_scenarios CONFIGURE_DEPENDS
  ${CQ_CONFORMANCE_DIR}/expressions/*.json
  ${CQ_CONFORMANCE_DIR}/scenarios/*.json
  ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/*.json)
if(NOT cq_scenarios)
  message(WARNING "no conformance vectors found in ${CQ_CONFORMANCE_DIR}; set CQ_CONFORMANCE_DIR")
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
