//! The shape of `cpgen inspect --json`, as documented: what every model
//! must look like whatever the input (extra keys are allowed).

use serde_json::Value;

/// Every way `model` departs from the shape `cpgen inspect --json` promises
/// (extra keys are allowed).
pub fn shape_problems(model: &Value) -> Vec<String> {
    let mut p = Problems(Vec::new());
    for (i, iface) in p.array(model, "interfaces", "model").iter().enumerate() {
        let at = format!("interfaces[{i}]");
        p.string(iface, "name", &at);
        let kind = p.one_of(iface, "kind", &["dispinterface", "dual", "custom"], &at);
        p.nullable(iface, "uuid", &at, Value::is_string);
        p.uuid_format(iface, &at);
        p.nullable(iface, "base", &at, Value::is_string);
        for (j, method) in p.array(iface, "methods", &at).iter().enumerate() {
            let at = format!("{at}.methods[{j}]");
            p.string(method, "name", &at);
            p.one_of(
                method,
                "kind",
                &["method", "propget", "propput", "propputref"],
                &at,
            );
            p.string(method, "ret", &at);
            p.dispid(method, kind, &at);
            for (k, param) in p.array(method, "params", &at).iter().enumerate() {
                let at = format!("{at}.params[{k}]");
                // MIDL allows unnamed parameters, as C does.
                p.nullable(param, "name", &at, Value::is_string);
                p.string(param, "type", &at);
                for flag in ["in", "out", "retval", "optional"] {
                    p.boolean(param, flag, &at);
                }
            }
        }
    }
    for (i, class) in p.array(model, "coclasses", "model").iter().enumerate() {
        let at = format!("coclasses[{i}]");
        p.string(class, "name", &at);
        p.string(class, "uuid", &at);
        p.uuid_format(class, &at);
        for (j, member) in p.array(class, "members", &at).iter().enumerate() {
            let at = format!("{at}.members[{j}]");
            p.string(member, "name", &at);
            for flag in ["default", "source", "restricted"] {
                p.boolean(member, flag, &at);
            }
        }
    }
    p.0
}

/// Collects shape problems so one run reports them all.
struct Problems(Vec<String>);

impl Problems {
    fn field<'v>(&mut self, v: &'v Value, key: &str, at: &str) -> Option<&'v Value> {
        let field = v.get(key);
        if field.is_none() {
            self.0.push(format!("{at}: no `{key}`"));
        }
        field
    }

    fn check(&mut self, v: &Value, key: &str, at: &str, what: &str, ok: fn(&Value) -> bool) {
        if let Some(field) = self.field(v, key, at).filter(|f| !ok(f)) {
            self.0
                .push(format!("{at}.{key}: expected {what}, found {field}"));
        }
    }

    fn array<'v>(&mut self, v: &'v Value, key: &str, at: &str) -> &'v [Value] {
        self.check(v, key, at, "an array", Value::is_array);
        v.get(key)
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    fn string(&mut self, v: &Value, key: &str, at: &str) {
        self.check(v, key, at, "a string", Value::is_string);
    }

    fn boolean(&mut self, v: &Value, key: &str, at: &str) {
        self.check(v, key, at, "a boolean", Value::is_boolean);
    }

    fn nullable(&mut self, v: &Value, key: &str, at: &str, ok: fn(&Value) -> bool) {
        let what = format!("null or {key}'s type");
        if let Some(field) = self.field(v, key, at).filter(|f| !f.is_null() && !ok(f)) {
            self.0
                .push(format!("{at}.{key}: expected {what}, found {field}"));
        }
    }

    fn one_of<'v>(
        &mut self,
        v: &'v Value,
        key: &str,
        allowed: &[&str],
        at: &str,
    ) -> Option<&'v str> {
        let found = v
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| allowed.contains(s));
        if found.is_none() {
            self.0.push(format!(
                "{at}.{key}: expected one of {allowed:?}, found {:?}",
                v.get(key)
            ));
        }
        found
    }

    /// A uuid, when present, is lowercase 8-4-4-4-12 hex.
    fn uuid_format(&mut self, v: &Value, at: &str) {
        let Some(uuid) = v.get("uuid").and_then(Value::as_str) else {
            return;
        };
        let groups: Vec<&str> = uuid.split('-').collect();
        let well_formed = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
            && groups.iter().all(|g| {
                g.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            });
        if !well_formed {
            self.0
                .push(format!("{at}.uuid: {uuid:?} is not a lowercase GUID"));
        }
    }

    /// A DISPID (a 32-bit signed integer) on dispatch methods, null on custom ones.
    fn dispid(&mut self, method: &Value, kind: Option<&str>, at: &str) {
        let Some(dispid) = self.field(method, "dispid", at) else {
            return;
        };
        let is_dispid = dispid.as_i64().is_some_and(|d| i32::try_from(d).is_ok());
        match kind {
            Some("custom") if !dispid.is_null() => {
                self.0.push(format!(
                    "{at}.dispid: {dispid} on a custom interface, expected null"
                ));
            }
            Some("dispinterface" | "dual") if !is_dispid => {
                self.0.push(format!(
                    "{at}.dispid: expected a 32-bit DISPID, found {dispid}"
                ));
            }
            _ => {}
        }
    }
}

/// The shape checker must be able to fail: it accepts the documented example
/// and rejects departures from it.
#[test]
fn shape_checker_accepts_the_contract_example_only() {
    let example: Value = serde_json::from_str(
        r#"{"interfaces":[{"name":"DWebBrowserEvents2","kind":"dispinterface",
              "uuid":"34a715a0-6587-11d0-924a-0020afc7ac4d","base":null,
              "methods":[{"name":"StatusTextChange","dispid":102,"kind":"method","ret":"void",
                 "params":[{"name":"Text","type":"BSTR","in":true,"out":false,"retval":false,"optional":false}]}]}],
            "coclasses":[{"name":"WebBrowser","uuid":"8856f961-340a-11d0-a96b-00c04fd705a2",
              "members":[{"name":"DWebBrowserEvents2","default":true,"source":true,"restricted":false}]}]}"#,
    )
    .unwrap();
    assert_eq!(shape_problems(&example), Vec::<String>::new());

    let broken = |pointer: &str, value: Value| {
        let mut model = example.clone();
        *model.pointer_mut(pointer).unwrap() = value;
        shape_problems(&model)
    };
    let cases = [
        ("/interfaces/0/kind", Value::from("idispatch")),
        (
            "/interfaces/0/uuid",
            Value::from("34A715A0-6587-11D0-924A-0020AFC7AC4D"),
        ),
        ("/interfaces/0/methods/0/dispid", Value::Null),
        ("/interfaces/0/methods/0/kind", Value::from("get")),
        ("/interfaces/0/methods/0/params/0/in", Value::from("yes")),
        ("/coclasses/0/members/0/source", Value::Null),
        ("/coclasses/0/uuid", Value::Null),
        ("/coclasses", Value::from(1)),
    ];
    for (pointer, value) in cases {
        assert_ne!(
            broken(pointer, value.clone()),
            Vec::<String>::new(),
            "{pointer} = {value}"
        );
    }
    let mut custom = example.clone();
    custom["interfaces"][0]["kind"] = Value::from("custom");
    assert_eq!(
        shape_problems(&custom).len(),
        1,
        "a custom method with a DISPID"
    );
}
