package io.slackir.chat;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Writes characters beyond the Basic Multilingual Plane (emoji) as UTF-8, not as {@code \uD83D\uDC4B} escapes: the
 * HTTP API's bodies are written as bytes, where Jackson 2 escapes surrogate pairs unless told otherwise.
 */
@Singleton
public class JsonCustomizer implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().configure(JsonGenerator.Feature.COMBINE_UNICODE_SURROGATES_IN_UTF8, true);
    }
}
