# OH_PLUGIN(NAME, DEFAULT, DESCRIPTION, [DEPS-FOUND-SHELL-TEST], [MISSING-MESSAGE])
# --------------------------------------------------------------------------------
# One switch per plugin: --enable-plugin-NAME=yes|no|auto (collectd's AC_PLUGIN).
#   yes   build it; stop configure with MISSING-MESSAGE when its dependency test fails
#   auto  build it when the dependency test passes, else skip it with a notice
#   no    leave it out
# DEPS-FOUND-SHELL-TEST is a shell condition (default: true).  Defines the automake
# conditional BUILD_PLUGIN_NAME (upper case) and appends NAME to OH_PLUGINS_ENABLED.
AC_DEFUN([OH_PLUGIN], [
  m4_pushdef([oh_var], m4_translit([$1], [a-z-], [A-Z_]))
  AC_ARG_ENABLE([plugin-$1],
    [AS_HELP_STRING([--enable-plugin-$1=@<:@yes|no|auto@:>@], [$3 (default: $2)])],
    [oh_plugin_want="$enableval"], [oh_plugin_want="$2"])
  oh_plugin_deps=yes
  m4_ifnblank([$4], [AS_IF([$4], [], [oh_plugin_deps=no])])
  AS_CASE([$oh_plugin_want],
    [yes], [AS_IF([test "x$oh_plugin_deps" != xyes],
                  [AC_MSG_ERROR([plugin $1 was asked for but its dependency is missing: $5])])
            oh_plugin_build=yes],
    [auto], [oh_plugin_build=$oh_plugin_deps],
    [no], [oh_plugin_build=no],
    [AC_MSG_ERROR([--enable-plugin-$1 takes yes, no or auto, not '$oh_plugin_want'])])
  AS_IF([test "x$oh_plugin_build" = xyes],
        [OH_PLUGINS_ENABLED="$OH_PLUGINS_ENABLED $1"],
        [OH_PLUGINS_DISABLED="$OH_PLUGINS_DISABLED $1"])
  AM_CONDITIONAL([BUILD_PLUGIN_]oh_var, [test "x$oh_plugin_build" = xyes])
  m4_popdef([oh_var])
])

# OH_REQUIRE_PKG(VAR, MODULE, DEBIAN-PACKAGE)
# -------------------------------------------
# PKG_CHECK_MODULES that stops with the Debian package to install.
AC_DEFUN([OH_REQUIRE_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([$2 not found through pkg-config.  On Debian/Ubuntu: apt-get install $3])])
])
