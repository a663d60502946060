# The archive Zephyr links: cargo's, rewritten.
#
# - Without the compiler_builtins members. rustc bundles compiler_builtins
#   into every staticlib: integer and float helpers (__aeabi_uldivmod,
#   __udivmoddi4, ...) and mem functions. Linked before libgcc, they
#   replace the toolchain's versions for the whole image, larger ones on
#   Cortex-M (the 64-bit division alone is ~1 KB). libgcc and the C
#   library provide every helper the library's code calls.
# - Without the sections in REMOVE: always the embedded LLVM bitcode
#   (.llvmbc, .llvmcmd), which binutils' ar hands to its LTO plugin, which
#   fails on a newer LLVM's bitcode and leaves the rewritten archive
#   without a symbol index; on hosted targets also the unwind tables (see
#   CMakeLists.txt).
#
# Usage: cmake -DAR=<ar> -DOBJCOPY=<objcopy> -DIN=<archive> -DOUT=<archive>
#        -DREMOVE=<section,...> -P strip_builtins.cmake

string(REPLACE "," ";" sections "${REMOVE}")
set(remove_args)
foreach(section ${sections})
  list(APPEND remove_args --remove-section=${section})
endforeach()
execute_process(COMMAND ${OBJCOPY} -D ${remove_args} ${IN} ${OUT}.new RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${OBJCOPY} could not rewrite ${IN}")
endif()

execute_process(COMMAND ${AR} t ${OUT}.new OUTPUT_VARIABLE members RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${AR} t ${OUT}.new failed")
endif()
string(REPLACE "\n" ";" members "${members}")
set(builtins)
foreach(member ${members})
  # Its Rust objects, and its C and assembly objects, named <hash>-<name>.o.
  if(member MATCHES "^compiler_builtins-" OR member MATCHES "^[0-9a-f]+-[a-z0-9_]+\\.o$")
    list(APPEND builtins ${member})
  endif()
endforeach()
if(builtins)
  execute_process(COMMAND ${AR} d ${OUT}.new ${builtins} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${AR} d failed on ${OUT}.new")
  endif()
endif()

# Copied only when it changed, so a no-op cargo run does not relink.
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.new ${OUT})
