MATCH (r:Room)-[:PART_OF]->(f:Floor)-[:PART_OF]->(b:Building)
WHERE r.temperature < 68 OR r.temperature > 74
RETURN elementId(r) AS RoomId, r.name AS Room, f.name AS Floor, b.name AS Building,
       r.temperature AS Temperature
