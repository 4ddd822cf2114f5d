"""Compile a decision table into a function of the evaluation scope."""

from .env import Env
from .feel import ROOT
from .feel import compile as feel_compile
from .hit_policy import aggregate, apply_hit_policy


def _output_value_list(text, names):
    """Evaluate an outputValues list ('"a","b"') into the ordered list of values."""
    if not text:
        return None
    from .interpreter import compile_node
    from .parser import parse
    ast = parse(text, "unary", names)
    if ast[0] != "ut_list":
        return None
    scope = Env({}, ROOT, [])
    return [compile_node(item[1])(scope) for item in ast[1] if item[0] == "ut_expr"]


class CompiledTable:
    """A decision table ready to evaluate: parsed entries, hit policy and output coercion."""

    def __init__(self, table: dict, names: tuple, types, result_name: str, result_type: str | None):
        self.policy = table["hit_policy"]
        self.aggregation = table["aggregation"]
        self.inputs = [feel_compile(i["expr"] or "null", "expression", names) for i in table["inputs"]]
        self.input_vars = [i["variable"] for i in table["inputs"]]
        self.input_values = [feel_compile(i["values"], "unary", names) if i["values"] else None
                             for i in table["inputs"]]
        self.input_types = [i["type_ref"] for i in table["inputs"]]
        self.outputs = table["outputs"]
        self.output_names = [o["name"] or result_name for o in self.outputs]
        self.output_values = [_output_value_list(o["values"], names) for o in self.outputs]
        self.output_checks = [feel_compile(o["values"], "unary", names) if o["values"] else None
                              for o in self.outputs]
        self.defaults = [feel_compile(o["default"], "expression", names) if o["default"] else None
                         for o in self.outputs]
        self.output_types = [o["type_ref"] for o in self.outputs]
        self.rules = [
            ([feel_compile(t, "unary", names).fn or _broken(t) for t in r["inputs"]],
             [feel_compile(t or "null", "expression", names) for t in r["outputs"]], r["id"])
            for r in table["rules"]
        ]
        self.types = types
        self.result_type = result_type
        self.single = len(self.outputs) == 1
        self.last_matched: list = []

    def evaluate(self, env: Env):
        """Evaluate the table; returns (value, matched rule ids)."""
        values, scopes = [], []
        for i, expr in enumerate(self.inputs):
            v = expr.run(env)
            scope = env.child({"?": v})
            if self.input_vars[i]:
                scope.vars[self.input_vars[i]] = v
            allowed = self.input_values[i]
            if allowed is not None and v is not None and allowed.run(scope, v) is not True:
                env.warn(f"input {i + 1} value {v!r} is not among the allowed input values")
                return None, []
            values.append(v)
            scopes.append(scope)
        matched = []
        for tests, outs, rid in self.rules:
            for test, v, scope in zip(tests, values, scopes, strict=False):
                if test(v, scope) is not True:
                    break
            else:
                matched.append((rid, [self._output(k, o.run(env), env) for k, o in enumerate(outs)]))
        ids = [rid for rid, _ in matched]
        if not matched:
            return self._default(env), ids
        rows, is_list = apply_hit_policy(self.policy, self.aggregation, matched, self.output_values, env)
        if rows is None:
            return None, ids
        results = [r[0] if self.single else dict(zip(self.output_names, r, strict=False)) for r in rows]
        if not is_list:
            return results[0], ids
        if self.aggregation and self.policy in ("COLLECT", "C"):
            return aggregate(self.aggregation.upper(), results, env), ids
        return results, ids

    def _output(self, k, value, env):
        check = self.output_checks[k]
        if check is not None and value is not None and check.run(env.child({"?": value}), value) is not True:
            env.warn(f"output {self.output_names[k]} value {value!r} is not among the allowed output values")
            return None
        if self.output_types[k] and self.types is not None:
            return self.types.coerce(value, self.output_types[k], env, f"output {self.output_names[k]}")
        return value

    def _default(self, env):
        if not any(self.defaults):
            if self.policy in ("COLLECT", "C") and self.aggregation and self.aggregation.upper() == "COUNT":
                return 0
            return None
        vals = [d.run(env) if d else None for d in self.defaults]
        return vals[0] if self.single else dict(zip(self.output_names, vals, strict=False))


def _broken(text):
    """A test that never matches because its text did not parse."""
    def run(v, env):
        env.warn(f"cannot parse input entry {text!r}")
        return None
    return run
