# embed_web.cmake - writes the C source of one web asset (a struct web_asset, src/api/static.h):
# its bytes, a gzip copy (gzip -9 -n, so the output is reproducible) when that is worth it, its
# ETag and its URL. Run at build time by the commands that cmake/web.cmake adds:
#   cmake -DIN=<file> -DURL=</served/path> -DKIND=app|vendor -DSYM=<symbol> -DOUT=<file.c>
#         -DVENDOR=<name|file,...> -DNODE_MODULES=<dir> -DGZIP=<gzip> -P embed_web.cmake
#
# Text assets are rewritten on the way: every '/assets/vendor/<name>' becomes the vendor
# module's content-hashed URL, and a vendor module's bare import of "preact" becomes
# '/assets/vendor/preact.js' first (browsers cannot resolve bare names without an import map,
# and an inline import map would break the Content-Security-Policy).

string(REPLACE "," ";" vendor_list "${VENDOR}")
foreach(entry ${vendor_list})
  string(REPLACE "|" ";" pair "${entry}")
  list(GET pair 0 name)
  list(GET pair 1 rel)
  set(vendor_file_${name} ${NODE_MODULES}/${rel})
  list(APPEND vendor_names ${name})
endforeach()

function(content_type path out_type out_text)
  set(text TRUE)
  if(path MATCHES "\\.html$")
    set(type "text/html; charset=utf-8")
  elseif(path MATCHES "\\.m?js$")
    set(type "text/javascript; charset=utf-8")
  elseif(path MATCHES "\\.css$")
    set(type "text/css; charset=utf-8")
  elseif(path MATCHES "\\.svg$")
    set(type "image/svg+xml")
  elseif(path MATCHES "\\.json$")
    set(type "application/json")
  elseif(path MATCHES "\\.txt$")
    set(type "text/plain; charset=utf-8")
  elseif(path MATCHES "\\.png$")
    set(type "image/png")
    set(text FALSE)
  elseif(path MATCHES "\\.woff2$")
    set(type "font/woff2")
    set(text FALSE)
  else()
    message(FATAL_ERROR "embed_web.cmake: no content type known for ${path}; add one")
  endif()
  set(${out_type} "${type}" PARENT_SCOPE)
  set(${out_text} ${text} PARENT_SCOPE)
endfunction()

# The served URL of vendor module name: /assets/vendor/<stem>.<hash>.js.
function(vendor_url name out)
  vendor_text(${name} text)
  string(SHA256 hash "${text}")
  string(SUBSTRING "${hash}" 0 12 hash)
  string(REGEX REPLACE "\\.js$" "" stem "${name}")
  set(${out} "/assets/vendor/${stem}.${hash}.js" PARENT_SCOPE)
endfunction()

# Replaces each '/assets/vendor/<name>' in text (except self's own) by the hashed URL.
function(rewrite_vendor_refs text self out)
  foreach(name ${vendor_names})
    if(NOT name STREQUAL self)
      string(FIND "${text}" "/assets/vendor/${name}" at)
      if(at GREATER -1)
        vendor_url(${name} url)
        string(REPLACE "/assets/vendor/${name}" "${url}" text "${text}")
      endif()
    endif()
  endforeach()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The served text of vendor module name.
function(vendor_text name out)
  file(READ "${vendor_file_${name}}" text)
  string(REGEX REPLACE "from *\"preact\"" "from\"/assets/vendor/preact.js\"" text "${text}")
  rewrite_vendor_refs("${text}" ${name} text)
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Writes "static const unsigned char var[] = {...};" of file's bytes to the C text in out.
function(c_array file var out out_len)
  file(READ "${file}" hex HEX)
  string(LENGTH "${hex}" digits)
  math(EXPR len "${digits} / 2")
  # 24 bytes a line, then each pair of hex digits becomes "0x..,".
  string(REGEX REPLACE "([0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f])"
         "\\1\n" hex "${hex}")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  # The trailing 0x00 keeps empty files legal C and text NUL-terminated; len does not count it.
  set(${out} "static const unsigned char ${var}[] = {\n${bytes}0x00};\n" PARENT_SCOPE)
  set(${out_len} ${len} PARENT_SCOPE)
endfunction()

content_type("${URL}" type is_text)
set(served "${OUT}.bytes")
if(KIND STREQUAL "vendor")
  get_filename_component(name "${URL}" NAME)
  vendor_text(${name} text)
  vendor_url(${name} url)
  file(WRITE "${served}" "${text}")
  set(immutable true)
  set(cache_note "content-hashed URL, cached for a year")
else()
  set(url "${URL}")
  if(is_text)
    file(READ "${IN}" text)
    rewrite_vendor_refs("${text}" "" text)
    file(WRITE "${served}" "${text}")
  else()
    configure_file("${IN}" "${served}" COPYONLY)
  endif()
  set(immutable false)
  set(cache_note "revalidated with its ETag")
endif()

file(SHA256 "${served}" hash)
string(SUBSTRING "${hash}" 0 20 etag)
c_array("${served}" data body len)

set(gz_c "")
set(gz_ref "NULL, 0")
if(is_text AND len GREATER 255)
  execute_process(COMMAND "${GZIP}" -9 -n -c "${served}" OUTPUT_FILE "${served}.gz"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "embed_web.cmake: gzip failed on ${IN}")
  endif()
  file(SIZE "${served}.gz" gz_len)
  math(EXPR gz10 "${gz_len} * 10")
  math(EXPR len9 "${len} * 9")
  if(gz10 LESS len9) # keep the gzip copy only when it saves at least a tenth
    c_array("${served}.gz" gz gz_c gz_len)
    set(gz_ref "gz, ${gz_len}")
  endif()
  file(REMOVE "${served}.gz")
endif()
file(REMOVE "${served}")

file(WRITE "${OUT}.tmp"
  "/* Generated for ${URL} by cmake/embed_web.cmake; do not edit. ${cache_note}. */\n"
  "#include \"api/static.h\"\n\n"
  "${body}\n${gz_c}\n"
  "extern const struct web_asset ${SYM};\n"
  "const struct web_asset ${SYM} = {\"${url}\", \"${type}\", data, ${len}, ${gz_ref},\n"
  "                                 \"\\\"${etag}\\\"\", ${immutable}};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
