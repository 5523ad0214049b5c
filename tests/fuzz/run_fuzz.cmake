# run_fuzz.cmake - one bounded libFuzzer run, as the fuzz_<target> ctests do:
#
#   cmake -DFUZZER=path/to/fuzz_numparse -DNAME=fuzz_numparse
#         -DCORPUS=tests/fuzz/corpus/numparse
#         -DREGRESSIONS=tests/fuzz/regressions/numparse
#         -DDICT=tests/fuzz/numparse.dict -DWORK=build/tests/fuzz/fuzz-work/numparse
#         -DSECONDS=60 -P tests/fuzz/run_fuzz.cmake
#
# The seed corpus and the regression inputs are copied into WORK (fresh each
# run; the source tree is never written): libFuzzer adds what it finds to
# WORK/corpus, writes crash, timeout and leak inputs into WORK/artifacts, and
# its whole output into WORK/fuzz.log. Fails when libFuzzer exits non-zero
# (it found something); the last line says how many inputs ran.

foreach(var FUZZER NAME CORPUS REGRESSIONS DICT WORK SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzz.cmake: -D${var}=... is missing")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK}/corpus ${WORK}/regressions)
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/regressions ${WORK}/artifacts)
foreach(pair "${CORPUS};corpus" "${REGRESSIONS};regressions")
  list(GET pair 0 from)
  list(GET pair 1 to)
  file(GLOB inputs LIST_DIRECTORIES false ${from}/*)
  list(FILTER inputs EXCLUDE REGEX "/(README[^/]*|\\.[^/]*)$")
  if(inputs)
    file(COPY ${inputs} DESTINATION ${WORK}/${to})
  endif()
endforeach()
file(GLOB seeds ${WORK}/corpus/*)
list(LENGTH seeds nseeds)

set(cmd ${FUZZER}
  -max_total_time=${SECONDS}
  -timeout=10
  -dict=${DICT}
  -print_final_stats=1
  -artifact_prefix=${WORK}/artifacts/
  ${WORK}/corpus ${WORK}/regressions)
string(REPLACE ";" " " shown "${cmd}")
message(STATUS "${NAME}: ${nseeds} seeds; ${shown}")
execute_process(COMMAND ${cmd}
  RESULT_VARIABLE rc
  OUTPUT_FILE ${WORK}/fuzz.log
  ERROR_FILE ${WORK}/fuzz.log)
file(READ ${WORK}/fuzz.log log)
message("${log}")

# libFuzzer's summary: "#N DONE cov: C ft: F corp: K/S ..." and
# "Done N runs in T second(s)".
set(summary "")
if(log MATCHES "Done ([0-9]+) runs in ([0-9]+) second")
  set(summary "${CMAKE_MATCH_1} inputs run in ${CMAKE_MATCH_2} s")
endif()
if(log MATCHES "DONE +cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+)/([0-9]+[a-zA-Z]*)")
  string(APPEND summary ", coverage ${CMAKE_MATCH_1} edges, ${CMAKE_MATCH_2} features, "
    "corpus ${CMAKE_MATCH_3} inputs (${CMAKE_MATCH_4}) from ${nseeds} seeds")
endif()
if(NOT rc EQUAL 0 OR summary STREQUAL "")
  set(what "")
  if(log MATCHES "(property violated: [^\n]*\n[^\n]*)")
    set(what "${CMAKE_MATCH_1}\n")
  elseif(log MATCHES "(ERROR: [A-Za-z]+: [^\n]*|runtime error: [^\n]*)")
    set(what "${CMAKE_MATCH_1}\n")
  endif()
  if(summary STREQUAL "" AND log MATCHES "stat::number_of_executed_units: ([0-9]+)")
    set(summary "after ${CMAKE_MATCH_1} inputs")
  endif()
  file(GLOB artifacts ${WORK}/artifacts/*)
  string(REPLACE ";" "\n  " artifacts "${artifacts}")
  message(FATAL_ERROR "${NAME}: FAILED (libFuzzer exit status ${rc}) ${summary}\n${what}"
    "log: ${WORK}/fuzz.log\nartifacts (replay one with ${FUZZER} FILE; then add it to "
    "${REGRESSIONS}/):\n  ${artifacts}")
endif()
message("${NAME}: ${summary}; no crash, no property violated")
