import{cP as i}from"./index-vasX4FJc.js";const n=o=>["",...i].includes(o);export{n as i};
