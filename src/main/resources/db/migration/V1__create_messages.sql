-- Every accepted shout, kept so a room's conversation survives restarts.
-- The id is a UUIDv7 given when the shout is accepted: time-ordered, so "order by id" is acceptance order.
-- Lengths are in characters (code points), as PostgreSQL counts varchar; they mirror Message's constraints.
create table messages (
    id          uuid          primary key,
    room        varchar(64)   not null check (room ~ '^[a-z0-9_-]{1,64}$'),
    name        varchar(64)   not null,
    message     varchar(4000) not null,
    inserted_at timestamptz   not null,
    updated_at  timestamptz   not null
);

-- Serves "latest N of a room" (order by id desc) and "the page before id" (id < ?) without sorting.
create index messages_room_id_idx on messages (room, id);
