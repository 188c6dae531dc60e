// libyaml (libyaml-dev): the YAML 1.1 scanner and parser behind the strict readers of rule
// files, test files and configurations, through its event API.
#include <yaml.h>
