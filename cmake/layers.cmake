# Layering enforced by the build.
#
# Every folder of src/ is one library target (a domain, or a layer below or above the domains).
# A target may include only its own headers and those of the targets it declares in DEPS (and,
# transitively, theirs): each target compiles against a private include folder
# (build/layers/<target>/) that holds symbolic links to exactly those headers. An include that
# points anywhere else — up a layer, or sideways into a domain not declared — is a compile
# error ("No such file or directory"), not a review comment.
#
#   tessera_layer(<target> [EXECUTABLE] DIRS <folder>... [FILES <file>...] [SOURCES <extra>...] DEPS <target>...)
#
# DIRS    folders under src/ whose *.h and *.cc (not *_test.cc) the target owns, minus files an
#         earlier target of the same folder claimed (a domain's model target, see below).
# FILES   instead of globbing: exactly these files, relative to src/ (a domain's model: its
#         records, its store interface and its pure rules, which lower layers and the store
#         engines may use without depending on the domain's services).
# SOURCES extra (generated) sources.
# DEPS    the layers this one may use; linked PRIVATE.
# EXECUTABLE  a program (the command line) rather than a library.

set(TESSERA_SRC ${CMAKE_SOURCE_DIR}/src)
set(TESSERA_LAYER_ROOT ${CMAKE_BINARY_DIR}/layers)

# The layers a target reaches through its DEPS, transitively (its headers include theirs).
function(_tessera_layer_closure out)
  set(seen "")
  set(todo ${ARGN})
  while(todo)
    list(POP_FRONT todo t)
    if(t IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${t})
    get_property(deps GLOBAL PROPERTY TESSERA_LAYER_DEPS_${t})
    list(APPEND todo ${deps})
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

function(tessera_layer name)
  cmake_parse_arguments(L "EXECUTABLE" "" "DIRS;FILES;SOURCES;DEPS" ${ARGN})
  foreach(d ${L_DEPS})
    get_property(known GLOBAL PROPERTY TESSERA_LAYER_DECLARED_${d})
    if(NOT known)
      message(FATAL_ERROR "layer ${name}: ${d} is not declared yet (layers are declared bottom-up)")
    endif()
  endforeach()
  get_property(claimed GLOBAL PROPERTY TESSERA_CLAIMED_FILES)
  set(files "")
  if(L_FILES)
    foreach(f ${L_FILES})
      list(APPEND files ${TESSERA_SRC}/${f})
    endforeach()
  else()
    foreach(d ${L_DIRS})
      file(GLOB found CONFIGURE_DEPENDS ${TESSERA_SRC}/${d}/*.h ${TESSERA_SRC}/${d}/*.cc)
      list(FILTER found EXCLUDE REGEX "_test\\.cc$")
      foreach(f ${found})
        if(NOT f IN_LIST claimed)
          list(APPEND files ${f})
        endif()
      endforeach()
    endforeach()
  endif()
  set_property(GLOBAL APPEND PROPERTY TESSERA_CLAIMED_FILES ${files})
  set(headers ${files})
  list(FILTER headers INCLUDE REGEX "\\.h$")
  set(sources ${files})
  list(FILTER sources INCLUDE REGEX "\\.cc$")
  set_property(GLOBAL PROPERTY TESSERA_LAYER_HEADERS_${name} ${headers})
  set_property(GLOBAL PROPERTY TESSERA_LAYER_DEPS_${name} ${L_DEPS})
  set_property(GLOBAL PROPERTY TESSERA_LAYER_DECLARED_${name} TRUE)

  if(L_EXECUTABLE)
    add_executable(${name} ${sources} ${headers} ${L_SOURCES})
    target_link_libraries(${name} PRIVATE tessera_build_options ${L_DEPS})
    target_precompile_headers(${name} REUSE_FROM tessera_pch)
    set(scope PRIVATE)
  elseif(sources OR L_SOURCES)
    add_library(${name} STATIC ${sources} ${headers} ${L_SOURCES})
    target_link_libraries(${name} PUBLIC tessera_build_options PRIVATE ${L_DEPS})
    target_precompile_headers(${name} REUSE_FROM tessera_pch)
    set(scope PRIVATE)
  else()
    add_library(${name} INTERFACE ${headers})
    target_link_libraries(${name} INTERFACE tessera_build_options ${L_DEPS})
    set(scope INTERFACE)
  endif()

  # The private include folder: links to the target's own headers and its closure's.
  set(farm ${TESSERA_LAYER_ROOT}/${name})
  file(REMOVE_RECURSE ${farm})
  _tessera_layer_closure(closure ${name})
  foreach(t ${closure})
    get_property(hs GLOBAL PROPERTY TESSERA_LAYER_HEADERS_${t})
    foreach(h ${hs})
      file(RELATIVE_PATH rel ${TESSERA_SRC} ${h})
      get_filename_component(dir ${farm}/${rel} DIRECTORY)
      file(MAKE_DIRECTORY ${dir})
      file(CREATE_LINK ${h} ${farm}/${rel} SYMBOLIC)
    endforeach()
  endforeach()
  if(scope STREQUAL "PRIVATE")
    target_include_directories(${name} PRIVATE ${farm})
  endif()
endfunction()
