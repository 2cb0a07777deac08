// One way for the variable sources in this folder to read parameters. The framework's
// resolveVariable returns promises; scripts/local-env.ts's answers at once, so a source answers
// synchronously when it can and with a promise otherwise.
// Plain CommonJS: the framework loads the sources that require it as variable sources.

/** `then(value)`, at once for a plain value, after it settles for a promise. */
function whenResolved(value, then) {
  return value instanceof Promise ? value.then(then) : then(value);
}

/** The parameters `names` as `{ name: value }`, at once or as a promise (see whenResolved). */
function resolveParams(resolveVariable, names) {
  const resolved = names.map((name) => resolveVariable(`param:${name}`));
  const toValues = (list) => Object.fromEntries(names.map((name, i) => [name, list[i]]));
  return resolved.some((v) => v instanceof Promise)
    ? Promise.all(resolved).then(toValues)
    : toValues(resolved);
}

module.exports = { whenResolved, resolveParams };
