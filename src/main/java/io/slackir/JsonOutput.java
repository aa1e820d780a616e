package io.slackir;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * How everything Slackir writes as JSON (socket frames, HTTP bodies, what crosses to other nodes) spells characters
 * beyond the Basic Multilingual Plane (emoji): as UTF-8, not as {@code \uD83D\uDC4B} escapes, which Jackson 2 writes
 * for surrogate pairs in byte output unless told otherwise.
 */
@Singleton
public class JsonOutput implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().configure(JsonGenerator.Feature.COMBINE_UNICODE_SURROGATES_IN_UTF8, true);
    }
}
