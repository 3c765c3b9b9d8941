// The MQTT capability's public face: the driver, its site-file schemas, and the demo plant's broker and publisher.
export { type EmbeddedBroker, startEmbeddedBroker } from './broker.js';
export { type MqttConnectionConfig, mqttConnectionSchema, mqttJsonTagOptionsSchema, mqttSparkplugTagOptionsSchema } from './config.js';
export { type DemoMqttPublisher, type DemoPoint, type DemoPublisherOptions, startDemoMqttPublisher } from './demo-publisher.js';
export { createMqttDriver, MqttConfigError } from './driver.js';
