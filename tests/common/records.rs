//! Reading what `neardup` writes: JSON lines, and a cluster file's header, clusters and members
//! (`{"record":"header",...}` first, then one `{"record":"cluster",...,"members":[...]}` a line).

use serde_json::Value;
use std::collections::BTreeSet;

/// Every line of `bytes` parsed as JSON.
pub fn json_lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The header record of a cluster file.
pub fn header(out: &[u8]) -> Value {
    json_lines(out)
        .into_iter()
        .find(|v| v["record"] == "header")
        .expect("a header record")
}

/// The cluster records of a cluster file, in order.
pub fn clusters(out: &[u8]) -> Vec<Value> {
    json_lines(out)
        .into_iter()
        .filter(|v| v["record"] == "cluster")
        .collect()
}

/// The members of a cluster record.
pub fn members(c: &Value) -> &[Value] {
    c["members"].as_array().expect("a cluster's members")
}

/// The string `field` of each member of a cluster, in order; `""` for a member without one
/// (`null`), so that a test can say which members have none.
pub fn member_strs(c: &Value, field: &str) -> Vec<String> {
    members(c)
        .iter()
        .map(|m| m[field].as_str().unwrap_or("").to_string())
        .collect()
}

/// The value of `field` of each member of a cluster, in order (`null` where it has none), to
/// compare with numbers.
pub fn member_values(c: &Value, field: &str) -> Vec<Value> {
    members(c).iter().map(|m| m[field].clone()).collect()
}

/// The ids of a cluster's members, in order (every member has one).
pub fn member_ids(c: &Value) -> Vec<String> {
    members(c)
        .iter()
        .map(|m| m["id"].as_str().expect("a member's id").to_string())
        .collect()
}

/// The member ids of each cluster of a cluster file, in order.
pub fn cluster_ids(out: &[u8]) -> Vec<Vec<String>> {
    clusters(out).iter().map(member_ids).collect()
}

/// The clusters of a cluster file as sets of member ids, in order.
pub fn cluster_id_sets(out: &[u8]) -> Vec<BTreeSet<String>> {
    cluster_sets(out).into_iter().map(|(_, ids)| ids).collect()
}

/// The clusters of a cluster file as sets of member ids, with their canonical member.
pub fn cluster_sets(out: &[u8]) -> BTreeSet<(String, BTreeSet<String>)> {
    json_lines(out)[1..]
        .iter()
        .map(|c| {
            let ids = member_ids(c).into_iter().collect();
            (c["canonical"].as_str().unwrap().to_string(), ids)
        })
        .collect()
}
